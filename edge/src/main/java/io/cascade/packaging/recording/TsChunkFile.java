package io.cascade.packaging.recording;

import io.cascade.media.MediaFrame;
import io.cascade.protocol.ts.TsContinuity;
import io.cascade.protocol.ts.TsStreamMuxer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A recording's MPEG-TS file: the live stream's own muxing ({@link TsStreamMuxer}: one PES per frame, PCR with every
 * picture), with the PAT and PMT at every keyframe and every 100 ms and continuity counters of the file's own
 * ({@link TsContinuity}), as a TS push sends them. Every packet is whole, so the file plays as far as it is written.
 */
final class TsChunkFile extends ChunkFile {
    private final TsStreamMuxer muxer = new TsStreamMuxer();
    private final TsContinuity continuity = new TsContinuity();

    TsChunkFile(Path target, MediaFrame videoConfig, MediaFrame audioConfig) throws IOException {
        super(target, true);
        if (videoConfig != null) {
            muxer.mux(videoConfig, 0);
        }
        if (audioConfig != null) {
            muxer.mux(audioConfig, 0);
        }
    }

    @Override
    void write(MediaFrame frame, long timestampMillis) throws IOException {
        byte[] packets = muxer.mux(frame, timestampMillis);
        if (packets == null) {
            return;
        }
        int from = continuity.psiDue(timestampMillis, frame.isKeyframe()) ? 0
                : TsStreamMuxer.PSI_PACKETS * TsStreamMuxer.PACKET_SIZE;
        ByteBuffer stamped = ByteBuffer.wrap(packets);
        for (int at = from; at < packets.length; at += TsStreamMuxer.PACKET_SIZE) {
            continuity.stamp(stamped, at);
        }
        append(packets, from);
        hasMedia = true;
    }
}
