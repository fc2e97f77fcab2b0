package io.cascade.protocol.ts;

import io.cascade.media.Codec;
import io.cascade.protocol.h264.NalUnits;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns a 4-byte-length-prefixed H.264 / H.265 access unit into the Annex B byte stream MPEG-TS carries (ISO/IEC 13818-1
 * 2.14 / 2.17: an AVC or HEVC "access unit" in a PES is in byte-stream format).
 *
 * <p>Output per access unit: an access unit delimiter (the AU's own when it starts with one, else a generated one), then on
 * keyframes the parameter sets from the decoder configuration record unless the AU carries them itself, then the AU's other
 * NAL units in their order, each behind a 4-byte start code. The AUD comes first because HLS clients (and 2.14.1 for AVC in
 * TS) find access unit boundaries by it; the parameter sets go right after it, before any SEI or slice, because RTMP and
 * MP4 publishers send them only in the configuration record, and a client that starts at this segment needs them before
 * the first slice (and a buffering period SEI refers to the SPS).
 */
final class AnnexBConverter {
    private static final byte[] START_CODE = {0, 0, 0, 1};
    /** nal_unit_type 9, primary_pic_type 7 ("any slice type", so it is right for every picture), rbsp_stop_one_bit. */
    private static final byte[] H264_AUD = {0x09, (byte) 0xF0};
    /** nal_unit_type 35 (layer 0; the temporal id is filled in per AU), pic_type 2 (I, P and B), rbsp_stop_one_bit. */
    private static final byte[] H265_AUD = {(byte) (35 << 1), 0x01, 0x50};

    private static final int H264_SPS = 7;
    private static final int H264_PPS = 8;
    private static final int H264_AUD_TYPE = 9;
    private static final int H265_VCL_LAST = 31;
    private static final int H265_VPS = 32;
    private static final int H265_SPS = 33;
    private static final int H265_PPS = 34;
    private static final int H265_AUD_TYPE = 35;

    private final boolean hevc;
    /** In the order they are inserted: VPS (HEVC), SPS, PPS. */
    private final List<byte[]> parameterSets;
    private final int parameterSetBytes;
    private final boolean configHasVps;
    private final boolean configHasSps;
    private final boolean configHasPps;

    /** vps is empty for H.264. */
    AnnexBConverter(Codec codec, List<byte[]> vps, List<byte[]> sps, List<byte[]> pps) {
        this.hevc = codec == Codec.H265;
        this.parameterSets = new ArrayList<>(vps.size() + sps.size() + pps.size());
        parameterSets.addAll(vps);
        parameterSets.addAll(sps);
        parameterSets.addAll(pps);
        int n = 0;
        for (byte[] ps : parameterSets) {
            n += START_CODE.length + ps.length;
        }
        this.parameterSetBytes = n;
        this.configHasVps = !vps.isEmpty();
        this.configHasSps = !sps.isEmpty();
        this.configHasPps = !pps.isEmpty();
    }

    /**
     * Converts one access unit; throws IllegalArgumentException when the length prefixes do not tile the data exactly, a
     * NAL unit is empty, or there are more than {@link NalUnits#MAX_NAL_UNITS_PER_ACCESS_UNIT} of them.
     */
    byte[] convert(byte[] au, boolean keyframe) {
        // Pass 1: find the NAL units and what the AU already has, and size the output exactly.
        int[] offsets = new int[8];
        int[] lengths = new int[8];
        int count = 0;
        boolean hasVps = false;
        boolean hasSps = false;
        boolean hasPps = false;
        int temporalIdPlus1 = 1;
        boolean sawVcl = false;
        int p = 0;
        while (p < au.length) {
            if (au.length - p < 4) {
                throw new IllegalArgumentException("video sample: truncated NAL length prefix at byte " + p);
            }
            long n = (au[p] & 0xFFL) << 24 | (au[p + 1] & 0xFF) << 16 | (au[p + 2] & 0xFF) << 8 | (au[p + 3] & 0xFF);
            p += 4;
            if (n == 0 || n > au.length - p) {
                throw new IllegalArgumentException("video sample: NAL length " + n + " at byte " + (p - 4)
                        + " does not fit the " + au.length + "-byte access unit");
            }
            if (count == NalUnits.MAX_NAL_UNITS_PER_ACCESS_UNIT) {
                throw new IllegalArgumentException(
                        "video sample: more than " + NalUnits.MAX_NAL_UNITS_PER_ACCESS_UNIT + " NAL units");
            }
            if (count == offsets.length) {
                offsets = Arrays.copyOf(offsets, count * 2);
                lengths = Arrays.copyOf(lengths, count * 2);
            }
            offsets[count] = p;
            lengths[count] = (int) n;
            count++;
            int type = type(au[p]);
            if (hevc) {
                hasVps |= type == H265_VPS;
                hasSps |= type == H265_SPS;
                hasPps |= type == H265_PPS;
                // The AUD must have the TemporalId of its access unit (H.265 7.4.2.4.4): take it from the first slice.
                if (!sawVcl && type <= H265_VCL_LAST && n >= 2) {
                    temporalIdPlus1 = Math.max(1, au[p + 1] & 0x07);
                    sawVcl = true;
                }
            } else {
                hasSps |= type == H264_SPS;
                hasPps |= type == H264_PPS;
            }
            p += (int) n;
        }

        boolean leadingAud = count > 0 && type(au[offsets[0]]) == audType();
        byte[] aud = hevc ? H265_AUD : H264_AUD;
        boolean insertSets = keyframe && !parameterSets.isEmpty()
                && !((hasSps || !configHasSps) && (hasPps || !configHasPps) && (!hevc || hasVps || !configHasVps));

        long size = leadingAud ? 0 : START_CODE.length + aud.length;
        if (insertSets) {
            size += parameterSetBytes;
        }
        for (int i = 0; i < count; i++) {
            if (keep(au, offsets[i], i)) {
                size += START_CODE.length + lengths[i];
            }
        }

        // Pass 2: write.
        byte[] out = new byte[Math.toIntExact(size)];
        int q = 0;
        int i = 0;
        if (leadingAud) {
            q = put(out, q, au, offsets[0], lengths[0]);
            i = 1;
        } else {
            q = put(out, q, aud, 0, aud.length);
            if (hevc) {
                out[q - aud.length + 1] = (byte) temporalIdPlus1;
            }
        }
        if (insertSets) {
            for (byte[] ps : parameterSets) {
                q = put(out, q, ps, 0, ps.length);
            }
        }
        for (; i < count; i++) {
            if (keep(au, offsets[i], i)) {
                q = put(out, q, au, offsets[i], lengths[i]);
            }
        }
        return out;
    }

    /**
     * Drops an AUD that is not the first NAL unit: an Annex B reader takes every AUD as the start of a new access unit, so
     * a misplaced one would cut this access unit in two.
     */
    private boolean keep(byte[] au, int offset, int index) {
        return index == 0 || type(au[offset]) != audType();
    }

    private int type(byte header) {
        return hevc ? NalUnits.h265Type(header) : NalUnits.h264Type(header);
    }

    private int audType() {
        return hevc ? H265_AUD_TYPE : H264_AUD_TYPE;
    }

    private static int put(byte[] out, int q, byte[] src, int off, int len) {
        System.arraycopy(START_CODE, 0, out, q, START_CODE.length);
        System.arraycopy(src, off, out, q + START_CODE.length, len);
        return q + START_CODE.length + len;
    }
}
