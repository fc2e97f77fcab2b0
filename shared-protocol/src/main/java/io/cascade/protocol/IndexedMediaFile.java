package io.cascade.protocol;

import io.cascade.media.ChannelReads;
import io.cascade.media.MediaFile;
import io.cascade.media.MediaFileException;
import io.cascade.media.MediaFrame;
import io.cascade.media.SampleTable;
import io.cascade.protocol.h264.BitstreamException;
import io.cascade.protocol.h264.NalUnits;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.util.List;

/**
 * What the file readers share once a file is indexed: the index, the configs, and reading a sample back into the
 * frame a live publish would carry (video re-prefixed with 4-byte NAL lengths). Each format only builds the index.
 */
public abstract class IndexedMediaFile implements MediaFile {
    private final SeekableByteChannel channel;
    private final SampleTable index;
    private final List<MediaFrame> configs;
    /** Per track (0 video, 1 audio): the config frame, null when the track is absent. */
    private final MediaFrame[] trackConfigs = new MediaFrame[2];
    private final int videoNalLengthSize;
    private final long durationMillis;

    /**
     * @param configs            video then audio, one per track the index has samples of
     * @param videoNalLengthSize NAL length size of the video samples in the file (1, 2 or 4; unused without video)
     */
    protected IndexedMediaFile(SeekableByteChannel channel, SampleTable index, List<MediaFrame> configs,
                               int videoNalLengthSize, long durationMillis) {
        this.channel = channel;
        this.index = index;
        this.configs = List.copyOf(configs);
        for (MediaFrame c : configs) {
            trackConfigs[c.track()] = c;
        }
        this.videoNalLengthSize = videoNalLengthSize;
        this.durationMillis = durationMillis;
    }

    /** The format's own exception, for a sample that cannot be read back. */
    protected abstract MediaFileException malformed(String message, Throwable cause);

    @Override
    public final List<MediaFrame> configs() {
        return configs;
    }

    @Override
    public final int sampleCount() {
        return index.size();
    }

    @Override
    public final Sample sample(int i) {
        return index.sample(i);
    }

    /**
     * The sample with its bytes, as frame number {@code i} (its sequence), in no segment.
     *
     * @throws MediaFileException (the format's subclass) when the file no longer holds the sample's bytes, or a video
     *                            sample's NAL lengths do not add up
     */
    @Override
    public final MediaFrame read(int i) throws IOException {
        Sample s = index.sample(i);
        byte[] data;
        try {
            data = ChannelReads.readFully(channel, s.offset(), s.size());
        } catch (EOFException e) {
            throw malformed("sample " + i + " runs past the end of the file", e);
        }
        if (s.video()) {
            try {
                data = NalUnits.toFourByteLengths(data, 0, data.length, videoNalLengthSize);
            } catch (BitstreamException e) {
                throw malformed("sample " + i + ": " + e.getMessage(), e);
            }
        }
        return new MediaFrame(s.track(), trackConfigs[s.track()].codec(), s.dts(), s.pts(), s.timescale(),
                s.keyframe() ? MediaFrame.FLAG_KEYFRAME : 0, MediaFrame.NO_SEGMENT, i, data);
    }

    @Override
    public final long durationMillis() {
        return durationMillis;
    }

    @Override
    public final void close() throws IOException {
        channel.close();
    }
}
