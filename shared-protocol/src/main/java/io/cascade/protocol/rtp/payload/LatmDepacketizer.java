package io.cascade.protocol.rtp.payload;

import io.cascade.protocol.aac.StreamMuxConfig;
import io.cascade.protocol.rtp.RtpException;
import io.cascade.protocol.rtp.RtpPacket;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * AAC in MP4A-LATM (RFC 6416, formerly RFC 3016) with {@code cpresent=0}: the StreamMuxConfig comes from the SDP, and
 * each packet carries AudioMuxElements of PayloadLengthInfo (a run of 255s and a final byte) followed by the raw frame,
 * once per sub-frame. An element larger than a packet continues in the following packets; the marker bit marks the
 * packet that ends one. Every frame is handed out as one access unit, the n-th frame of a packet at the packet's
 * timestamp plus n frame durations.
 */
public final class LatmDepacketizer extends Depacketizer {
    private final StreamMuxConfig config;
    private final int frameDuration;
    private final ByteArrayOutputStream element = new ByteArrayOutputStream(512);
    private long timestamp;
    private boolean damagedElement;

    /** @param frameDuration samples per frame at the RTP clock rate (1024 for AAC-LC) */
    public LatmDepacketizer(StreamMuxConfig config, int frameDuration) throws RtpException {
        if (config.otherDataPresent()) {
            throw new RtpException("LATM with other data is not supported");
        }
        if (frameDuration < 1 || frameDuration > 1 << 20) {
            throw new RtpException("frame duration " + frameDuration);
        }
        this.config = config;
        this.frameDuration = frameDuration;
    }

    public StreamMuxConfig config() {
        return config;
    }

    @Override
    protected void accept(RtpPacket packet, Consumer<AccessUnit> out) throws RtpException {
        if (element.size() == 0) {
            timestamp = packet.timestamp();
        } else if (packet.timestamp() != timestamp) {
            abandon(); // the packet that ended the previous element was lost
            timestamp = packet.timestamp();
        }
        if (packet.payloadLength() > Depacketizer.MAX_ACCESS_UNIT_LENGTH - element.size()) {
            abandon();
            throw new RtpException("LATM element larger than " + Depacketizer.MAX_ACCESS_UNIT_LENGTH + " bytes");
        }
        element.write(packet.data(), packet.payloadOffset(), packet.payloadLength());
        if (!packet.marker()) {
            return;
        }
        byte[] d = element.toByteArray();
        boolean damaged = damagedElement;
        element.reset();
        damagedElement = false;
        if (damaged) {
            dropDamaged();
            return;
        }
        frames(d, out);
    }

    /** Splits complete AudioMuxElements into frames; a malformed one is thrown after the frames before it went out. */
    private void frames(byte[] d, Consumer<AccessUnit> out) throws RtpException {
        int p = 0;
        long ts = timestamp;
        while (p < d.length) {
            for (int sub = 0; sub <= config.numSubFrames(); sub++) {
                int n = 0;
                int b;
                do {
                    if (p == d.length) {
                        dropDamaged();
                        throw new RtpException("PayloadLengthInfo cut off");
                    }
                    b = d[p++] & 0xFF;
                    n += b;
                } while (b == 255);
                if (n == 0 || n > d.length - p) {
                    dropDamaged();
                    throw new RtpException("LATM frame of " + n + " bytes with " + (d.length - p) + " left");
                }
                emit(out, ts, Arrays.copyOfRange(d, p, p + n), false);
                p += n;
                ts = (ts + frameDuration) & 0xFFFFFFFFL;
            }
        }
    }

    private void abandon() {
        if (element.size() > 0) {
            dropDamaged();
        }
        element.reset();
        damagedElement = false;
    }

    @Override
    protected void lost() {
        if (element.size() > 0) {
            damagedElement = true; // part of the element is missing: drop it when its end comes
        }
    }

    @Override
    public void flush(Consumer<AccessUnit> out) {
        abandon();
    }
}
