package io.cascade.edge.rtsp;

import io.cascade.protocol.rtsp.RtspMessageWriter;

import java.io.ByteArrayOutputStream;

/**
 * Packets as RTSP's interleaved records ({@code $}, channel, 16-bit length, packet: RFC 2326 10.12), the form a
 * frame's packets are built in once per stream. TCP players get the bytes as they are; for UDP players the connection
 * takes the packets back out and sends each to the port its channel stands for.
 */
final class InterleavedRecords {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(2048);
    private final byte[] header = new byte[4];

    void add(int channel, byte[] packet) {
        RtspMessageWriter.interleavedHeader(header, 0, channel, packet.length);
        out.write(header, 0, header.length);
        out.write(packet, 0, packet.length);
    }

    /** The records added since the last call, or null when none. */
    byte[] take() {
        if (out.size() == 0) {
            return null;
        }
        byte[] bytes = out.toByteArray();
        out.reset();
        return bytes;
    }
}
