package io.cascade.protocol.rtmp.frames;

import io.cascade.media.Codec;
import io.cascade.media.MediaFrame;
import io.cascade.media.TrackSummary;
import io.cascade.protocol.amf0.Amf0EcmaArray;
import io.cascade.protocol.amf0.Amf0Writer;

import java.util.List;

/**
 * The onMetaData a player of a file gets first, as Flash servers send it for recorded streams: the duration (so a
 * player shows a seek bar and knows the end), the picture size and the codecs, from the file's configurations.
 */
public final class FileMetadata {
    /** Track number of data frames, as RTMP sources carry them. */
    static final int DATA_TRACK = 2;
    /** FLV codec ids: AVC, AAC; enhanced RTMP names HEVC by its FourCC. */
    private static final double AVC = 7;
    private static final double AAC = 10;
    private static final double HVC1 = ('h' << 24) | ('v' << 16) | ('c' << 8) | '1';

    private FileMetadata() {
    }

    /** An AMF0 onMetaData frame at time 0 for a file of {@code durationMillis} with these configuration frames. */
    public static MediaFrame onMetaData(List<MediaFrame> configs, long durationMillis) {
        Amf0EcmaArray meta = new Amf0EcmaArray();
        meta.put("duration", durationMillis / 1000.0);
        for (TrackSummary t : TrackSummary.of(configs)) {
            switch (t.type()) {
                case VIDEO -> {
                    if (t.width() > 0) {
                        meta.put("width", (double) t.width());
                        meta.put("height", (double) t.height());
                    }
                    meta.put("videocodecid", t.codec() == Codec.H265 ? HVC1 : AVC);
                }
                case AUDIO -> {
                    meta.put("audiocodecid", AAC);
                    if (t.sampleRate() > 0) {
                        meta.put("audiosamplerate", (double) t.sampleRate());
                    }
                    if (t.channels() > 0) {
                        meta.put("stereo", t.channels() > 1);
                    }
                }
                default -> {
                }
            }
        }
        byte[] payload = Amf0Writer.encode("onMetaData", meta);
        return new MediaFrame(DATA_TRACK, Codec.AMF0_METADATA, 0, 0, 1000, 0, MediaFrame.NO_SEGMENT, 0, payload);
    }
}
