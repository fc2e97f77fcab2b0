package io.cascade.vod;

import io.cascade.media.MediaFile;
import io.cascade.files.VodFolders;
import io.cascade.settings.Setting;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a node plays on demand, for every protocol that plays files: the folders ({@link VodFolders}), how a file is
 * opened, and the node's bound on plays of files at once ({@code vod.max.plays}): each holds an open file, a read
 * buffer and a share of the file-reading threads, so the node refuses the next one rather than slow every one.
 */
public final class VodLibrary {
    public static final Setting<Integer> MAX_PLAYS = Setting.integer("vod.max.plays", 1_000, 0, 1_000_000,
            "plays of files (VOD) a node serves at once, over every protocol; the next is refused until one ends");

    /** Opens a media file for playback (MP4 or FLV, by its contents); blocking. */
    @FunctionalInterface
    public interface Opener {
        MediaFile open(Path file) throws IOException;
    }

    private final VodFolders folders;
    private final Opener opener;
    private final int maxPlays;
    private final AtomicInteger playing = new AtomicInteger();

    public VodLibrary(VodFolders folders, Opener opener, int maxPlays) {
        this.folders = folders;
        this.opener = opener;
        this.maxPlays = maxPlays;
    }

    public boolean serves(String app) {
        return folders.serves(app);
    }

    /**
     * Opens the file {@code relative} names in {@code app}'s folder; blocking, so on a worker. Throws
     * IllegalArgumentException for a name that is refused (leading out of the folder), NoSuchFileException when there
     * is no such file, and the reader's IOException for a file it cannot read.
     */
    public MediaFile open(String app, String relative) throws IOException {
        return opener.open(folders.find(app, relative));
    }

    /** Takes one of the node's plays of files: false when {@code vod.max.plays} are playing already. */
    public boolean take() {
        while (true) {
            int now = playing.get();
            if (now >= maxPlays) {
                return false;
            }
            if (playing.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    /** Gives back a play {@link #take} gave. */
    public void release() {
        playing.decrementAndGet();
    }

    public int playing() {
        return playing.get();
    }

    public int maxPlays() {
        return maxPlays;
    }
}
