package io.cascade.protocol.rtp.payload;

import io.cascade.protocol.rtp.RtpPacket;
import java.util.List;

/**
 * Splits access units in canonical form into RTP payloads of at most {@link #maxPayload()} bytes. Every payload of one
 * access unit goes out with the unit's RTP timestamp, and the marker bit is set on the last one only.
 */
public interface Packetizer {
    /** Payload bytes per packet by default: with the RTP header and IP/UDP headers it stays under a 1500-byte MTU. */
    int DEFAULT_MAX_PAYLOAD = 1400;
    /** Smallest payload size accepted: room for the fragment headers and a useful piece of data. */
    int MIN_MAX_PAYLOAD = 16;

    int maxPayload();

    /** The payloads of one access unit, in sending order (empty when the unit holds nothing). */
    List<byte[]> packetize(byte[] accessUnit);

    /** Returns {@code maxPayload} when a packet of that payload stays within {@link RtpPacket#MAX_PACKET_LENGTH}. */
    static int checkMaxPayload(int maxPayload) {
        if (maxPayload < MIN_MAX_PAYLOAD || maxPayload > RtpPacket.MAX_PACKET_LENGTH - RtpPacket.HEADER_LENGTH) {
            throw new IllegalArgumentException("payload size " + maxPayload);
        }
        return maxPayload;
    }
}
