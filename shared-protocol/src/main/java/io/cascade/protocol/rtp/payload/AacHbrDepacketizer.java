package io.cascade.protocol.rtp.payload;

import io.cascade.protocol.h264.BitReader;
import io.cascade.protocol.h264.BitstreamException;
import io.cascade.protocol.rtp.RtpException;
import io.cascade.protocol.rtp.RtpPacket;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Consumer;

/**
 * AAC in RTP payload format mpeg4-generic (RFC 3640), the AAC-hbr and AAC-lbr modes: an AU-headers section whose
 * headers give each access unit's size, then the access units back to back. Several units may share a packet (their
 * timestamps follow the first by one frame each), and one unit larger than a packet is split over packets with the same
 * timestamp, the marker bit on the last.
 *
 * <p>Interleaving (a non-zero AU-Index-delta) is refused. The optional header fields (CTS and DTS deltas, random access
 * and stream state indications) and the auxiliary section are skipped when the format parameters announce them.
 */
public final class AacHbrDepacketizer extends Depacketizer {
    /** AAC frames are 1024 samples unless the format parameters say otherwise ({@code constantDuration}). */
    public static final int DEFAULT_FRAME_DURATION = 1024;
    /** Widest header field accepted, in bits: AU sizes are at most 16 bits wide in every mode in use (13 for hbr). */
    public static final int MAX_FIELD_BITS = 16;

    private final int sizeLength;
    private final int indexLength;
    private final int indexDeltaLength;
    private final int ctsDeltaLength;
    private final int dtsDeltaLength;
    private final int randomAccessIndication;
    private final int streamStateIndication;
    private final int auxiliaryDataSizeLength;
    private final int frameDuration;

    /** A fragmented unit being gathered, or null. */
    private ByteArrayOutputStream fragments;
    private int fragmentSize;
    private long fragmentTimestamp;

    /**
     * @param sizeLength       bits of AU-size (13 for AAC-hbr, 6 for AAC-lbr)
     * @param indexLength      bits of AU-Index (3 for hbr)
     * @param indexDeltaLength bits of AU-Index-delta (3 for hbr)
     */
    public AacHbrDepacketizer(int sizeLength, int indexLength, int indexDeltaLength) throws RtpException {
        this(sizeLength, indexLength, indexDeltaLength, 0, 0, 0, 0, 0, DEFAULT_FRAME_DURATION);
    }

    private AacHbrDepacketizer(int sizeLength, int indexLength, int indexDeltaLength, int ctsDeltaLength,
                               int dtsDeltaLength, int randomAccessIndication, int streamStateIndication,
                               int auxiliaryDataSizeLength, int frameDuration) throws RtpException {
        if (sizeLength < 1 || sizeLength > MAX_FIELD_BITS) {
            throw new RtpException("sizeLength " + sizeLength + ": 1.." + MAX_FIELD_BITS + " supported");
        }
        for (int bits : new int[] {indexLength, indexDeltaLength, ctsDeltaLength, dtsDeltaLength, streamStateIndication,
                auxiliaryDataSizeLength}) {
            if (bits < 0 || bits > MAX_FIELD_BITS) {
                throw new RtpException("AU header field of " + bits + " bits: 0.." + MAX_FIELD_BITS + " supported");
            }
        }
        if (randomAccessIndication != 0 && randomAccessIndication != 1) {
            throw new RtpException("randomAccessIndication " + randomAccessIndication);
        }
        if (frameDuration < 1 || frameDuration > 1 << 20) {
            throw new RtpException("constantDuration " + frameDuration);
        }
        this.sizeLength = sizeLength;
        this.indexLength = indexLength;
        this.indexDeltaLength = indexDeltaLength;
        this.ctsDeltaLength = ctsDeltaLength;
        this.dtsDeltaLength = dtsDeltaLength;
        this.randomAccessIndication = randomAccessIndication;
        this.streamStateIndication = streamStateIndication;
        this.auxiliaryDataSizeLength = auxiliaryDataSizeLength;
        this.frameDuration = frameDuration;
    }

    /**
     * From the {@code a=fmtp} parameters of an mpeg4-generic stream (names compared without case): {@code mode} must be
     * AAC-hbr or AAC-lbr and {@code sizeLength} present; the other lengths default to 0.
     */
    public static AacHbrDepacketizer fromFormatParameters(Map<String, String> fmtp) throws RtpException {
        String mode = FormatParameters.get(fmtp, "mode");
        if (mode == null || !(mode.equalsIgnoreCase("AAC-hbr") || mode.equalsIgnoreCase("AAC-lbr"))) {
            throw new RtpException("mpeg4-generic mode " + mode + ": only AAC-hbr and AAC-lbr are supported");
        }
        if (FormatParameters.get(fmtp, "sizeLength") == null) {
            throw new RtpException("mpeg4-generic without sizeLength");
        }
        return new AacHbrDepacketizer(FormatParameters.intValue(fmtp, "sizeLength", 0),
                FormatParameters.intValue(fmtp, "indexLength", 0), FormatParameters.intValue(fmtp, "indexDeltaLength", 0),
                FormatParameters.intValue(fmtp, "CTSDeltaLength", 0), FormatParameters.intValue(fmtp, "DTSDeltaLength", 0),
                FormatParameters.intValue(fmtp, "randomAccessIndication", 0),
                FormatParameters.intValue(fmtp, "streamStateIndication", 0),
                FormatParameters.intValue(fmtp, "auxiliaryDataSizeLength", 0),
                FormatParameters.intValue(fmtp, "constantDuration", DEFAULT_FRAME_DURATION));
    }

    @Override
    protected void accept(RtpPacket packet, Consumer<AccessUnit> out) throws RtpException {
        byte[] d = packet.data();
        int offset = packet.payloadOffset();
        int length = packet.payloadLength();
        int end = offset + length;
        if (length < 2) {
            throw abandon("mpeg4-generic payload without AU-headers-length");
        }
        int headerBits = (d[offset] & 0xFF) << 8 | (d[offset + 1] & 0xFF);
        int headerBytes = (headerBits + 7) / 8;
        if (headerBytes > length - 2) {
            throw abandon("AU-headers-length of " + headerBits + " bits beyond the packet");
        }
        int p = offset + 2 + headerBytes;
        int[] sizes;
        try {
            sizes = auSizes(d, offset + 2, headerBits);
            if (auxiliaryDataSizeLength > 0) {
                BitReader aux = new BitReader(d, p, end - p);
                int auxBits = aux.u(auxiliaryDataSizeLength);
                int auxBytes = (auxiliaryDataSizeLength + auxBits + 7) / 8;
                if (auxBytes > end - p) {
                    throw abandon("auxiliary section beyond the packet");
                }
                p += auxBytes;
            }
        } catch (BitstreamException e) {
            throw abandon("AU headers: " + e.getMessage());
        }
        int available = end - p;
        if (sizes.length == 1 && (fragments != null || sizes[0] > available)) {
            fragment(packet, sizes[0], d, p, available, out);
            return;
        }
        if (fragments != null) {
            abandonFragments(); // a whole unit came while a fragmented one was still open
        }
        long total = 0;
        for (int s : sizes) {
            total += s;
        }
        if (total > available) {
            throw abandon("access units of " + total + " bytes in a payload of " + available);
        }
        long ts = packet.timestamp();
        for (int s : sizes) {
            emit(out, ts, Arrays.copyOfRange(d, p, p + s), false);
            p += s;
            ts = (ts + frameDuration) & 0xFFFFFFFFL;
        }
    }

    /** The AU-size of every header in the AU-headers section d[offset...] of {@code bits} bits. */
    private int[] auSizes(byte[] d, int offset, int bits) throws BitstreamException, RtpException {
        BitReader r = new BitReader(d, offset, (bits + 7) / 8);
        if (bits < sizeLength) {
            throw new RtpException("AU-headers-length of " + bits + " bits holds no AU header");
        }
        int[] sizes = new int[4];
        int count = 0;
        int used = 0;
        while (used < bits) {
            int start = used;
            int size = r.u(sizeLength);
            used += sizeLength;
            int indexBits = count == 0 ? indexLength : indexDeltaLength;
            int index = r.u(indexBits);
            used += indexBits;
            if (count > 0 && index != 0) {
                throw new RtpException("AU-Index-delta " + index + ": interleaving is not supported");
            }
            used += optionalField(r, ctsDeltaLength);
            used += optionalField(r, dtsDeltaLength);
            if (randomAccessIndication == 1) {
                r.skip(1);
                used++;
            }
            r.skip(streamStateIndication);
            used += streamStateIndication;
            if (used > bits || used == start) {
                throw new RtpException("AU header cut off by AU-headers-length " + bits);
            }
            if (size == 0) {
                throw new RtpException("AU-size 0");
            }
            if (count == sizes.length) {
                sizes = Arrays.copyOf(sizes, count * 2); // at most one header per bit of the section
            }
            sizes[count++] = size;
        }
        return count == sizes.length ? sizes : Arrays.copyOf(sizes, count);
    }

    /** Skips a flag (present in every header when the delta has a length) and, when it is set, the delta. */
    private static int optionalField(BitReader r, int length) throws BitstreamException {
        if (length == 0) {
            return 0;
        }
        if (r.bit() == 1) {
            r.skip(length);
            return 1 + length;
        }
        return 1;
    }

    private void fragment(RtpPacket packet, int size, byte[] d, int p, int available, Consumer<AccessUnit> out)
            throws RtpException {
        if (size > Depacketizer.MAX_ACCESS_UNIT_LENGTH) {
            throw abandon("access unit of " + size + " bytes");
        }
        if (fragments != null && (packet.timestamp() != fragmentTimestamp || size != fragmentSize)) {
            abandonFragments(); // the rest of the previous unit never came
        }
        if (fragments == null) {
            fragments = new ByteArrayOutputStream(size);
            fragmentSize = size;
            fragmentTimestamp = packet.timestamp();
        }
        int take = Math.min(available, size - fragments.size());
        fragments.write(d, p, take);
        if (fragments.size() == size) {
            byte[] unit = fragments.toByteArray();
            fragments = null;
            emit(out, fragmentTimestamp, unit, false);
        } else if (packet.marker()) {
            abandonFragments(); // the last fragment came short
        }
    }

    private void abandonFragments() {
        if (fragments != null) {
            fragments = null;
            dropDamaged();
        }
    }

    /** A malformed packet: the unit being gathered is lost with it. */
    private RtpException abandon(String message) {
        abandonFragments();
        return new RtpException(message);
    }

    @Override
    protected void lost() {
        abandonFragments();
    }

    @Override
    public void flush(Consumer<AccessUnit> out) {
        abandonFragments();
    }
}
