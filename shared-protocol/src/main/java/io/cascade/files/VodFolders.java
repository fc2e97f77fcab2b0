package io.cascade.files;

import io.cascade.settings.Setting;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The folders of media files a node serves on demand, each as an application name: {@code vod.folder} as {@code vod},
 * and {@code vod.folders} adding more ({@code movies=/srv/movies}). A play names a file inside one of them; every
 * name is resolved with {@link ConfinedPath}, so nothing outside the folders can be read, whatever the name says.
 *
 * <p>RTMP players name files the way Flash did: {@code mp4:clip.mp4}, {@code clip.mp4}, or {@code clip} for
 * {@code clip.flv}; {@link #rtmpFileName} turns those into the file's relative path. HTTP and RTSP name the path as
 * it is.
 */
public final class VodFolders {
    /** The application {@code vod.folder} is served as. */
    public static final String DEFAULT_APP = "vod";
    /** Folders a node serves at most: each is a name in every play lookup, and a list this long is a mistake. */
    public static final int MAX_FOLDERS = 64;

    public static final Setting<String> FOLDER = Setting.text("vod.folder", "vod",
            "media files served on demand as the application `vod` (absolute, or relative to `data.dir`; empty: none):"
                    + " `rtmp://host/vod/clip.mp4`, `rtsp://host:5544/vod/clip.mp4`, `/vod/clip.mp4/index.m3u8`");
    public static final Setting<Map<String, String>> FOLDERS = Setting.of("vod.folders", "",
            "comma-separated `app=folder` pairs (in YAML: a mapping of application to folder)", VodFolders::parsePairs,
            "more VOD folders, each served as its own application");

    private final Map<String, Path> roots;

    /** @param roots application name to folder; folders need not exist (a play then finds nothing) */
    public VodFolders(Map<String, Path> roots) {
        if (roots.size() > MAX_FOLDERS) {
            throw new IllegalArgumentException("at most " + MAX_FOLDERS + " VOD folders");
        }
        this.roots = Collections.unmodifiableMap(new LinkedHashMap<>(roots));
    }

    /** The folders of a node's settings: relative folders are under {@code dataDir}. */
    public static VodFolders of(Path dataDir, String folder, Map<String, String> more) {
        Map<String, Path> roots = new LinkedHashMap<>();
        if (!folder.isBlank()) {
            roots.put(DEFAULT_APP, dataDir.resolve(folder));
        }
        more.forEach((app, dir) -> roots.put(app, dataDir.resolve(dir)));
        return new VodFolders(roots);
    }

    public static VodFolders none() {
        return new VodFolders(Map.of());
    }

    /** True when {@code app} is one of the folders' application names. */
    public boolean serves(String app) {
        return roots.containsKey(app);
    }

    public Set<String> apps() {
        return roots.keySet();
    }

    /**
     * The file {@code relative} names in {@code app}'s folder, checked on disk: IllegalArgumentException when the name
     * is refused (not a plain relative path, or leading out through a link; the message says why), NoSuchFileException
     * when there is no such regular file, or no such application.
     */
    public Path find(String app, String relative) throws IOException {
        Path root = roots.get(app);
        if (root == null) {
            throw new NoSuchFileException(app + "/" + relative);
        }
        Path file = ConfinedPath.resolve(root, relative);
        ConfinedPath.requireInside(root, file);
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(app + "/" + relative);
        }
        return file;
    }

    /**
     * The relative path an RTMP play name means: {@code mp4:clip.mp4} and {@code clip.mp4} are {@code clip.mp4},
     * {@code mp4:clip} is {@code clip.mp4}, {@code flv:clip} and {@code clip} are {@code clip.flv} (a name without an
     * extension was an FLV file to Flash). The name comes without its query.
     */
    public static String rtmpFileName(String playName) {
        String name = playName;
        String prefix = null;
        int colon = name.indexOf(':');
        if (colon > 0 && colon <= 4) {
            prefix = name.substring(0, colon);
            name = name.substring(colon + 1);
        }
        int slash = name.lastIndexOf('/');
        boolean hasExtension = name.indexOf('.', slash + 1) > 0;
        if (hasExtension) {
            return name;
        }
        return name + ("mp4".equals(prefix) || "f4v".equals(prefix) ? ".mp4" : ".flv");
    }

    private static Map<String, String> parsePairs(String text) {
        Map<String, String> pairs = new LinkedHashMap<>();
        if (text.isBlank()) {
            return pairs;
        }
        for (String pair : text.split(",")) {
            int eq = pair.indexOf('=');
            if (eq <= 0 || eq == pair.length() - 1) {
                throw new IllegalArgumentException("'" + pair.trim() + "' is not app=folder");
            }
            String app = pair.substring(0, eq).trim();
            if (!ConfinedPath.isName(app)) {
                throw new IllegalArgumentException("application '" + app + "' may use only A-Z, a-z, 0-9, '.', '_' and '-'");
            }
            if (pairs.put(app, pair.substring(eq + 1).trim()) != null) {
                throw new IllegalArgumentException("application '" + app + "' is named twice");
            }
        }
        if (pairs.size() > MAX_FOLDERS) {
            throw new IllegalArgumentException("at most " + MAX_FOLDERS + " folders");
        }
        return pairs;
    }
}
