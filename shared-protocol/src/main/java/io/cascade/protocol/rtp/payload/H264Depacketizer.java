package io.cascade.protocol.rtp.payload;

import io.cascade.protocol.rtp.RtpException;

/**
 * H.264 over RTP (RFC 6184) in packetization modes 0 and 1: single NAL unit packets, STAP-A aggregates and FU-A
 * fragments. The interleaved mode's packet types (STAP-B, MTAP16, MTAP24, FU-B) are refused with {@link RtpException};
 * the undefined types 0, 30 and 31 are ignored as the RFC asks. Mode 0 is a subset of mode 1, so one reader serves both.
 *
 * <p>A fragment that continues a NAL unit whose start was not seen, a new start before the previous fragmented unit
 * ended, or an end that never comes makes the access unit damaged: it is dropped, not thrown.
 */
public final class H264Depacketizer extends NalDepacketizer {
    static final int STAP_A = 24;
    static final int STAP_B = 25;
    static final int MTAP16 = 26;
    static final int MTAP24 = 27;
    static final int FU_A = 28;
    static final int FU_B = 29;
    private static final int NAL_IDR = 5;

    @Override
    void payload(byte[] d, int offset, int length) throws RtpException {
        if (length < 1) {
            throw new RtpException("empty H.264 payload");
        }
        int header = d[offset] & 0xFF;
        int type = header & 0x1F;
        if (type >= 1 && type <= 23) {
            nal(d, offset, length);
        } else if (type == STAP_A) {
            stapA(d, offset, length);
        } else if (type == FU_A) {
            fuA(d, offset, length, header);
        } else if (type == STAP_B || type == MTAP16 || type == MTAP24 || type == FU_B) {
            throw new RtpException("H.264 packet type " + type + " belongs to the interleaved mode, which is not supported");
        }
        // 0, 30, 31: undefined, ignored
    }

    private void nal(byte[] d, int offset, int n) throws RtpException {
        if ((d[offset] & 0x1F) == NAL_IDR) {
            sawKeyframe();
        }
        wholeNal(d, offset, n);
    }

    private void stapA(byte[] d, int offset, int length) throws RtpException {
        int end = offset + length;
        int p = offset + 1;
        if (p == end) {
            throw new RtpException("STAP-A with no NAL unit");
        }
        while (p < end) {
            if (end - p < 2) {
                throw new RtpException("STAP-A NAL unit size cut off");
            }
            int n = (d[p] & 0xFF) << 8 | (d[p + 1] & 0xFF);
            p += 2;
            if (n == 0 || n > end - p) {
                throw new RtpException("STAP-A NAL unit size " + n + " with " + (end - p) + " bytes left");
            }
            nal(d, p, n);
            p += n;
        }
    }

    private void fuA(byte[] d, int offset, int length, int indicator) throws RtpException {
        if (length < 2) {
            throw new RtpException("FU-A without its FU header");
        }
        int fu = d[offset + 1] & 0xFF;
        boolean start = (fu & 0x80) != 0;
        boolean end = (fu & 0x40) != 0;
        int type = fu & 0x1F;
        if (start) {
            if (au.nalOpen()) {
                damage(); // the previous fragmented NAL unit lost its end
                return;
            }
            if (type == NAL_IDR) {
                sawKeyframe();
            }
            au.startNal();
            au.appendByte(indicator & 0xE0 | type); // F and NRI from the indicator, type from the FU header
        } else if (!au.nalOpen()) {
            damage(); // continuation of a NAL unit whose start was not seen
            return;
        }
        au.append(d, offset + 2, length - 2);
        if (end) {
            au.endNal();
        }
    }
}
