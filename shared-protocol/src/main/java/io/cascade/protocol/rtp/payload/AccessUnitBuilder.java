package io.cascade.protocol.rtp.payload;

import io.cascade.protocol.rtp.RtpException;
import java.util.Arrays;

/** A growing access unit of 4-byte-length-prefixed NAL units, held to the depacketizer limits. */
final class AccessUnitBuilder {
    private byte[] buf = new byte[4096];
    private int length;
    private int nalUnits;
    /** Where the length prefix of the NAL being appended in pieces (a fragmentation unit) sits, or -1. */
    private int openNal = -1;

    int length() {
        return length;
    }

    int nalUnits() {
        return nalUnits;
    }

    boolean nalOpen() {
        return openNal >= 0;
    }

    void reset() {
        length = 0;
        nalUnits = 0;
        openNal = -1;
        if (buf.length > 1 << 20) {
            buf = new byte[4096]; // do not pin a huge buffer after one huge unit
        }
    }

    /** Appends a whole NAL unit src[offset, offset+n). */
    void addNal(byte[] src, int offset, int n) throws RtpException {
        startNal();
        append(src, offset, n);
        endNal();
    }

    /** Opens a NAL unit whose bytes arrive with {@link #append}. */
    void startNal() throws RtpException {
        if (nalUnits == Depacketizer.MAX_NAL_UNITS_PER_ACCESS_UNIT) {
            throw new RtpException("more than " + Depacketizer.MAX_NAL_UNITS_PER_ACCESS_UNIT + " NAL units in an access unit");
        }
        reserve(4);
        openNal = length;
        length += 4;
        nalUnits++;
    }

    void appendByte(int b) throws RtpException {
        reserve(1);
        buf[length++] = (byte) b;
    }

    void append(byte[] src, int offset, int n) throws RtpException {
        reserve(n);
        System.arraycopy(src, offset, buf, length, n);
        length += n;
    }

    /** Closes the open NAL unit by writing its length. */
    void endNal() {
        int n = length - openNal - 4;
        buf[openNal] = (byte) (n >>> 24);
        buf[openNal + 1] = (byte) (n >>> 16);
        buf[openNal + 2] = (byte) (n >>> 8);
        buf[openNal + 3] = (byte) n;
        openNal = -1;
    }

    /** Drops the open NAL unit (a fragment went missing). */
    void abandonNal() {
        if (openNal >= 0) {
            length = openNal;
            nalUnits--;
            openNal = -1;
        }
    }

    byte[] toArray() {
        return Arrays.copyOf(buf, length);
    }

    private void reserve(int n) throws RtpException {
        if (n > Depacketizer.MAX_ACCESS_UNIT_LENGTH - length) {
            throw new RtpException("access unit larger than " + Depacketizer.MAX_ACCESS_UNIT_LENGTH + " bytes");
        }
        if (length + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.min(Depacketizer.MAX_ACCESS_UNIT_LENGTH, Math.max(buf.length * 2, length + n)));
        }
    }
}
