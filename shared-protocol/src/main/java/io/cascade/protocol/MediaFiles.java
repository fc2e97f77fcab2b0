package io.cascade.protocol;

import io.cascade.media.ChannelReads;
import io.cascade.media.MediaFile;
import io.cascade.media.MediaFileException;
import io.cascade.protocol.flv.FlvFileReader;
import io.cascade.protocol.mp4.Mp4FileReader;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/** Opens a media file with the reader its content calls for, whatever its name says. */
public final class MediaFiles {
    /** Bytes looked at: an FLV signature is 3, an ISO BMFF box header's type ends at byte 8. */
    public static final int SNIFF_LENGTH = 8;
    /**
     * Box types an MP4 or MOV file starts with: ftyp normally; QuickTime files may start with wide, free, skip, mdat or
     * moov; a fragmented stream with styp or moof.
     */
    private static final Set<String> FIRST_BOX_TYPES = Set.of("ftyp", "styp", "moov", "moof", "mdat", "free", "skip",
            "wide", "pdin", "uuid", "sidx");

    private MediaFiles() {
    }

    /**
     * The file opened for playback: FLV when it starts with the FLV signature, MP4 when it starts with an ISO BMFF
     * box. The reader owns the channel; when opening fails it is closed here.
     *
     * @throws MediaFileException when the content is neither, or the reader rejects it (its own subclass)
     * @throws IOException        when the file cannot be read
     */
    public static MediaFile open(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            return open(channel);
        } catch (IOException | RuntimeException | Error e) {
            try {
                channel.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** As {@link #open(Path)} on a channel the reader takes over; the caller closes it when this throws. */
    public static MediaFile open(SeekableByteChannel channel) throws IOException {
        if (channel.size() < SNIFF_LENGTH) {
            throw new MediaFileException("not a media file: " + channel.size() + " bytes");
        }
        byte[] head = ChannelReads.readFully(channel, 0, SNIFF_LENGTH);
        if (head[0] == 'F' && head[1] == 'L' && head[2] == 'V') {
            return FlvFileReader.open(channel);
        }
        String type = new String(head, 4, 4, StandardCharsets.ISO_8859_1);
        if (FIRST_BOX_TYPES.contains(type)) {
            return Mp4FileReader.open(channel);
        }
        throw new MediaFileException("not an FLV or MP4 file (starts with neither 'FLV' nor a known box)");
    }
}
