package io.cascade.protocol.h264;

import io.cascade.protocol.h265.HevcDecoderConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The part of H.264 / H.265 ingest that every converter receiving parameter sets in band shares (MPEG-TS, RTP): an
 * access unit's NAL units are sorted into parameter sets, units to drop and units to keep; the kept ones become the
 * canonical payload (4-byte lengths), and the parameter sets, remembered from unit to unit, become a decoder
 * configuration record (AVCDecoderConfigurationRecord / HEVCDecoderConfigurationRecord) whenever they differ from the
 * last one sent. Access unit delimiters and filler data are dropped: a canonical access unit has neither.
 *
 * <p>What to do with the result (when to send it, how to time it, whether to wait for a keyframe) stays with the
 * converter. Memory is the parameter sets kept, at most 3 x {@link #MAX_PARAMETER_SETS} x {@link #MAX_PARAMETER_SET_BYTES},
 * and two index arrays. Not thread-safe: one tracker per video stream.
 */
public final class ParameterSetTracker {
    /** NAL units in one access unit: encoders send a few (delimiter, SEI, parameter sets, some slices); more is hostile. */
    public static final int MAX_NAL_UNITS = NalUnits.MAX_NAL_UNITS_PER_ACCESS_UNIT;
    /**
     * Largest VPS, SPS or PPS: the configuration records give each a 16-bit length, so a longer one could not go into the
     * config frame (real ones are tens of bytes). Checked before the unit is copied, so a hostile one pins no memory.
     */
    public static final int MAX_PARAMETER_SET_BYTES = 0xFFFF;
    /**
     * Most parameter sets of one kind in an access unit: what both configuration records accept (encoders send one of
     * each). With {@link #MAX_PARAMETER_SET_BYTES} it bounds the sets kept between access units to 3 x 32 x 64 KiB.
     */
    public static final int MAX_PARAMETER_SETS = AvcDecoderConfig.MAX_PARAMETER_SETS;

    /**
     * What one access unit became.
     *
     * @param config   a configuration record to send before the unit (the parameter sets changed, or none was sent yet),
     *                 or null
     * @param payload  the NAL units to decode with 4-byte lengths, or null when the unit held only parameter sets and
     *                 delimiters
     * @param keyframe an IDR picture (H.264) or an IRAP picture (H.265) is in the unit
     */
    public record Unit(byte[] config, byte[] payload, boolean keyframe) {
    }

    private enum Kind { VPS, SPS, PPS, DROP, KEY, SLICE }

    private final boolean hevc;
    /** Parameter sets seen in the stream (each kind replaced by the next access unit that has it). */
    private List<byte[]> vps = List.of();
    private List<byte[]> sps = List.of();
    private List<byte[]> pps = List.of();
    /** The parameter sets of the last configuration record handed out, null before the first. */
    private List<List<byte[]>> sent;
    /** A record given out of band (an SDP), handed out as it is while the stream's sets equal its own. */
    private byte[] seededRecord;
    private List<List<byte[]>> seeded;
    private final int[] offsets = new int[MAX_NAL_UNITS];
    private final int[] lengths = new int[MAX_NAL_UNITS];

    /** @param hevc H.265 NAL unit types and records; H.264 otherwise */
    public ParameterSetTracker(boolean hevc) {
        this.hevc = hevc;
    }

    /** Forgets every parameter set and the record sent (a new stream starts). */
    public void reset() {
        vps = List.of();
        sps = List.of();
        pps = List.of();
        sent = null;
        seededRecord = null;
        seeded = null;
    }

    /**
     * Starts from a configuration record that came out of band (an SDP's sprop parameters): its parameter sets are the
     * stream's until in-band ones replace them, and the record itself, byte for byte, is the first one handed out unless
     * the first access unit carries different sets.
     *
     * @throws BitstreamException when the record cannot be read
     */
    public void seed(byte[] record) throws BitstreamException {
        List<byte[]> v = List.of();
        List<byte[]> s;
        List<byte[]> p;
        if (hevc) {
            HevcDecoderConfig c = HevcDecoderConfig.parse(record, 0, record.length);
            v = c.vps();
            s = c.sps();
            p = c.pps();
        } else {
            AvcDecoderConfig c = AvcDecoderConfig.parse(record, 0, record.length);
            s = c.sps();
            p = c.pps();
        }
        vps = v;
        sps = s;
        pps = p;
        sent = null;
        seeded = List.of(v, s, p);
        seededRecord = record.clone();
    }

    /** A configuration record was handed out: access units can be decoded. */
    public boolean configured() {
        return sent != null;
    }

    /**
     * Converts an access unit whose NAL units are already 4-byte-length-prefixed (as RTP depacketizers rebuild them).
     *
     * @throws BitstreamException when the unit is damaged: the caller drops it and waits for a keyframe
     */
    public Unit convertLengthPrefixed(byte[] au) throws BitstreamException {
        int count = 0;
        int p = 0;
        while (p < au.length) {
            if (au.length - p < 4) {
                throw new BitstreamException("truncated NAL length prefix");
            }
            long n = (au[p] & 0xFFL) << 24 | (au[p + 1] & 0xFF) << 16 | (au[p + 2] & 0xFF) << 8 | (au[p + 3] & 0xFF);
            p += 4;
            if (n == 0 || n > au.length - p) {
                throw new BitstreamException("NAL length " + n + " with " + (au.length - p) + " bytes left");
            }
            if (count == MAX_NAL_UNITS) {
                throw new BitstreamException("more than " + MAX_NAL_UNITS + " NAL units in a video access unit");
            }
            offsets[count] = p;
            lengths[count] = (int) n;
            count++;
            p += (int) n;
        }
        return convert(au, offsets, lengths, count);
    }

    /**
     * Converts the access unit whose NAL units (headers included) are buf[offsets[i], offsets[i] + lengths[i]) for i below
     * count, in order.
     *
     * @throws BitstreamException when the unit is damaged (a parameter set too long, too many of them, unusable ones, an
     *                            H.265 unit shorter than its header): the caller drops it and waits for a keyframe
     */
    public Unit convert(byte[] buf, int[] nalOffsets, int[] nalLengths, int count) throws BitstreamException {
        List<byte[]> auVps = null;
        List<byte[]> auSps = null;
        List<byte[]> auPps = null;
        boolean keyframe = false;
        long outLength = 0;
        for (int i = 0; i < count; i++) {
            int o = nalOffsets[i];
            int n = nalLengths[i];
            if (hevc && n < 2) {
                throw new BitstreamException("H.265 NAL unit shorter than its 2-byte header");
            }
            Kind kind = kind(buf[o]);
            if ((kind == Kind.VPS || kind == Kind.SPS || kind == Kind.PPS) && n > MAX_PARAMETER_SET_BYTES) {
                throw new BitstreamException("parameter set of " + n + " bytes (at most " + MAX_PARAMETER_SET_BYTES + ")");
            }
            switch (kind) {
                case VPS -> auVps = add(auVps, buf, o, n);
                case SPS -> auSps = add(auSps, buf, o, n);
                case PPS -> auPps = add(auPps, buf, o, n);
                case DROP -> {
                    // access unit delimiter, filler data
                }
                case KEY -> {
                    keyframe = true;
                    outLength += 4 + n;
                }
                default -> outLength += 4 + n;
            }
        }

        List<byte[]> newVps = auVps != null ? auVps : vps;
        List<byte[]> newSps = auSps != null ? auSps : sps;
        List<byte[]> newPps = auPps != null ? auPps : pps;
        boolean complete = !newSps.isEmpty() && !newPps.isEmpty() && (!hevc || !newVps.isEmpty());
        byte[] record = null;
        if (complete && (sent == null || !same(sent.get(0), newVps) || !same(sent.get(1), newSps)
                || !same(sent.get(2), newPps))) {
            if (sent == null && seeded != null && same(seeded.get(0), newVps) && same(seeded.get(1), newSps)
                    && same(seeded.get(2), newPps)) {
                record = seededRecord; // the out-of-band record as the sender wrote it
            } else {
                try {
                    record = hevc ? HevcDecoderConfig.fromParameterSets(newVps, newSps, newPps).encode()
                            : avcRecord(newSps, newPps);
                } catch (BitstreamException | IllegalArgumentException e) {
                    throw new BitstreamException("unusable parameter sets: " + e.getMessage());
                }
            }
            sent = List.of(newVps, newSps, newPps);
        }
        vps = newVps;
        sps = newSps;
        pps = newPps;
        if (outLength == 0) {
            return new Unit(record, null, keyframe);
        }
        // outLength is at most the unit's length: NAL units are only dropped, and each keeps its own header as length
        byte[] payload = new byte[(int) outLength];
        int q = 0;
        for (int i = 0; i < count; i++) {
            int o = nalOffsets[i];
            int n = nalLengths[i];
            Kind k = kind(buf[o]);
            if (k == Kind.SLICE || k == Kind.KEY) {
                payload[q] = (byte) (n >>> 24);
                payload[q + 1] = (byte) (n >>> 16);
                payload[q + 2] = (byte) (n >>> 8);
                payload[q + 3] = (byte) n;
                System.arraycopy(buf, o, payload, q + 4, n);
                q += 4 + n;
            }
        }
        return new Unit(record, payload, keyframe);
    }

    /** Adds a parameter set of the access unit to its list, unless the unit repeats it. */
    private static List<byte[]> add(List<byte[]> list, byte[] buf, int o, int n) throws BitstreamException {
        List<byte[]> l = list == null ? new ArrayList<>(1) : list;
        for (byte[] u : l) {
            if (Arrays.equals(u, 0, u.length, buf, o, o + n)) {
                return l; // repeated in the same access unit
            }
        }
        if (l.size() == MAX_PARAMETER_SETS) {
            throw new BitstreamException("more than " + MAX_PARAMETER_SETS + " parameter sets of one kind in an access unit");
        }
        l.add(Arrays.copyOfRange(buf, o, o + n));
        return l;
    }

    /** What a NAL unit is to us: parameter set, dropped, a keyframe slice, or kept as it is. */
    private Kind kind(byte header) {
        if (hevc) {
            return switch (NalUnits.h265Type(header)) {
                case 32 -> Kind.VPS;
                case 33 -> Kind.SPS;
                case 34 -> Kind.PPS;
                case 35, 38 -> Kind.DROP; // access unit delimiter, filler data
                case 16, 17, 18, 19, 20, 21, 22, 23 -> Kind.KEY; // IRAP: BLA, IDR, CRA and reserved IRAP types
                default -> Kind.SLICE;
            };
        }
        return switch (NalUnits.h264Type(header)) {
            case 7 -> Kind.SPS;
            case 8 -> Kind.PPS;
            case 9, 12 -> Kind.DROP; // access unit delimiter, filler data
            case 5 -> Kind.KEY; // IDR slice
            default -> Kind.SLICE;
        };
    }

    /** An AVCDecoderConfigurationRecord for in-band SPS and PPS; the first SPS must parse. */
    private static byte[] avcRecord(List<byte[]> sps, List<byte[]> pps) throws BitstreamException {
        byte[] first = sps.get(0);
        AvcSps.parse(first, 0, first.length);
        return new AvcDecoderConfig(first[1] & 0xFF, first[2] & 0xFF, first[3] & 0xFF, 4, sps, pps).encode();
    }

    private static boolean same(List<byte[]> a, List<byte[]> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!Arrays.equals(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }
}
