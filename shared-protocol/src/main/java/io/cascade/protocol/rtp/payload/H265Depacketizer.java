package io.cascade.protocol.rtp.payload;

import io.cascade.protocol.rtp.RtpException;

/**
 * H.265 over RTP (RFC 7798): single NAL unit packets, aggregation packets (AP) and fragmentation units (FU), in the
 * common configuration without decoding order numbers. A stream that announces {@code sprop-max-don-diff} greater than 0
 * carries DONL fields and may need reordering by them: it is refused when the depacketizer is made. PACI packets (type 50)
 * are refused; the unspecified types 51 to 63 are ignored.
 *
 * <p>Lost or inconsistent fragments make the access unit damaged, as for {@link H264Depacketizer}.
 */
public final class H265Depacketizer extends NalDepacketizer {
    static final int AP = 48;
    static final int FU = 49;
    static final int PACI = 50;
    private static final int IRAP_FIRST = 16;
    private static final int IRAP_LAST = 21;

    /** A depacketizer for streams without DONL fields. */
    public H265Depacketizer() {
    }

    /**
     * A depacketizer for a stream whose SDP gives {@code sprop-max-don-diff} (0 when absent).
     *
     * @throws RtpException when it is greater than 0: decoding order numbers are not supported
     */
    public static H265Depacketizer forMaxDonDiff(int spropMaxDonDiff) throws RtpException {
        if (spropMaxDonDiff != 0) {
            throw new RtpException("sprop-max-don-diff " + spropMaxDonDiff + ": H.265 with decoding order numbers is not supported");
        }
        return new H265Depacketizer();
    }

    @Override
    void payload(byte[] d, int offset, int length) throws RtpException {
        if (length < 2) {
            throw new RtpException("H.265 payload shorter than its 2-byte header");
        }
        int type = (d[offset] >> 1) & 0x3F;
        if (type < AP) {
            nal(d, offset, length);
        } else if (type == AP) {
            aggregation(d, offset, length);
        } else if (type == FU) {
            fragment(d, offset, length);
        } else if (type == PACI) {
            throw new RtpException("H.265 PACI packets are not supported");
        }
        // 51..63: unspecified, ignored
    }

    private void nal(byte[] d, int offset, int n) throws RtpException {
        int type = (d[offset] >> 1) & 0x3F;
        if (type >= IRAP_FIRST && type <= IRAP_LAST) {
            sawKeyframe();
        }
        wholeNal(d, offset, n);
    }

    private void aggregation(byte[] d, int offset, int length) throws RtpException {
        int end = offset + length;
        int p = offset + 2;
        if (p == end) {
            throw new RtpException("aggregation packet with no NAL unit");
        }
        while (p < end) {
            if (end - p < 2) {
                throw new RtpException("aggregation packet NAL unit size cut off");
            }
            int n = (d[p] & 0xFF) << 8 | (d[p + 1] & 0xFF);
            p += 2;
            if (n < 2 || n > end - p) {
                throw new RtpException("aggregation packet NAL unit size " + n + " with " + (end - p) + " bytes left");
            }
            nal(d, p, n);
            p += n;
        }
    }

    private void fragment(byte[] d, int offset, int length) throws RtpException {
        if (length < 3) {
            throw new RtpException("fragmentation unit without its FU header");
        }
        int fu = d[offset + 2] & 0xFF;
        boolean start = (fu & 0x80) != 0;
        boolean end = (fu & 0x40) != 0;
        int type = fu & 0x3F;
        if (start) {
            if (au.nalOpen()) {
                damage();
                return;
            }
            if (type >= IRAP_FIRST && type <= IRAP_LAST) {
                sawKeyframe();
            }
            au.startNal();
            // F bit and layer id from the payload header, the type from the FU header; the TID byte as it is
            au.appendByte(d[offset] & 0x81 | type << 1);
            au.appendByte(d[offset + 1] & 0xFF);
        } else if (!au.nalOpen()) {
            damage();
            return;
        }
        au.append(d, offset + 3, length - 3);
        if (end) {
            au.endNal();
        }
    }
}
