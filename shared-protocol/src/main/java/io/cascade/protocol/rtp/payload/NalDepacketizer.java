package io.cascade.protocol.rtp.payload;

import io.cascade.protocol.rtp.RtpException;
import io.cascade.protocol.rtp.RtpPacket;
import java.util.function.Consumer;

/**
 * What the H.264 and H.265 depacketizers share: an access unit is every NAL unit carried with one RTP timestamp, and it
 * ends at the packet with the marker bit or at the first packet with another timestamp (a sender whose marker packet
 * was lost, or one that never sets the bit).
 */
abstract class NalDepacketizer extends Depacketizer {
    final AccessUnitBuilder au = new AccessUnitBuilder();
    private boolean active;
    private long timestamp;
    private boolean damagedUnit;
    private boolean keyframe;

    @Override
    protected final void accept(RtpPacket packet, Consumer<AccessUnit> out) throws RtpException {
        if (active && packet.timestamp() != timestamp) {
            finish(out);
        }
        if (!active) {
            active = true;
            timestamp = packet.timestamp();
        }
        if (!damagedUnit) {
            try {
                payload(packet.data(), packet.payloadOffset(), packet.payloadLength());
            } catch (RtpException e) {
                damage();
                if (packet.marker()) {
                    finish(out);
                }
                throw e;
            }
        }
        if (packet.marker()) {
            finish(out);
        }
    }

    /** Reads one RTP payload of the format into {@link #au}. */
    abstract void payload(byte[] d, int offset, int length) throws RtpException;

    /** The unit being rebuilt lost a piece: it will be dropped when it ends. */
    final void damage() {
        damagedUnit = true;
        au.reset();
    }

    final void sawKeyframe() {
        keyframe = true;
    }

    /** Adds a whole NAL unit unless a fragmented one is open, which then lost its end. */
    final void wholeNal(byte[] d, int offset, int n) throws RtpException {
        if (au.nalOpen()) {
            damage();
            return;
        }
        au.addNal(d, offset, n);
    }

    private void finish(Consumer<AccessUnit> out) {
        if (au.nalOpen()) {
            damagedUnit = true; // the last fragmentation unit never ended
        }
        if (damagedUnit) {
            dropDamaged();
        } else if (au.nalUnits() > 0) {
            emit(out, timestamp, au.toArray(), keyframe);
        }
        au.reset();
        active = false;
        damagedUnit = false;
        keyframe = false;
    }

    @Override
    protected final void lost() {
        if (active) {
            damage();
        }
    }

    /** A unit still open at the end never saw its marker: its last packets may be missing, so it is dropped. */
    @Override
    public final void flush(Consumer<AccessUnit> out) {
        if (active) {
            damage();
            finish(out);
        }
    }
}
