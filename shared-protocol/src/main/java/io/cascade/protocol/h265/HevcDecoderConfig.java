package io.cascade.protocol.h265;

import io.cascade.protocol.h264.BitReader;
import io.cascade.protocol.h264.BitstreamException;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 8.3.3.1): nalLengthSize and the VPS/SPS/PPS arrays (other arrays, e.g.
 * SEI, are skipped), and a best-effort RFC 6381 / 14496-15 Annex E codec string. {@link #fromParameterSets} and
 * {@link #encode()} build a record for parameter sets that came in-band (MPEG-TS). The parameter set arrays are shared, not
 * copied: never write them.
 */
public record HevcDecoderConfig(int generalProfileIdc, int generalLevelIdc, int nalLengthSize, List<byte[]> vps,
                                List<byte[]> sps, List<byte[]> pps) {
    /** Most NAL units kept per parameter set type; HEVC allows 16 VPS, 16 SPS and 64 PPS ids but encoders send one each. */
    public static final int MAX_PARAMETER_SETS = 32;
    /** Most arrays in a record: one per NAL unit type would be 64 (6-bit type); encoders send 3 or 4 (VPS, SPS, PPS, SEI). */
    public static final int MAX_ARRAYS = 64;
    /** nalUnitLength is UI16: the syntax cannot express more. */
    public static final int MAX_PARAMETER_SET_LENGTH = 0xFFFF;
    /** Fixed part of the record before the arrays (configurationVersion .. numOfArrays). */
    private static final int HEADER_LENGTH = 23;
    /** Unescaped SPS bytes needed to reach the end of general profile_tier_level (2 NAL header + 1 + 12). */
    private static final int SPS_PTL_BYTES = 15;

    private static final int NAL_VPS = 32;
    private static final int NAL_SPS = 33;
    private static final int NAL_PPS = 34;

    public HevcDecoderConfig {
        if (nalLengthSize != 1 && nalLengthSize != 2 && nalLengthSize != 4) {
            throw new IllegalArgumentException("NAL length size must be 1, 2 or 4: " + nalLengthSize);
        }
        vps = List.copyOf(vps);
        sps = List.copyOf(sps);
        pps = List.copyOf(pps);
    }

    public static HevcDecoderConfig parse(byte[] data, int offset, int length) throws BitstreamException {
        if (data == null || offset < 0 || length < 0 || offset > data.length - length) {
            throw new BitstreamException("slice outside array");
        }
        if (length < HEADER_LENGTH) {
            throw new BitstreamException("HEVC configuration record too short: " + length);
        }
        int version = data[offset] & 0xFF;
        if (version != 1) {
            throw new BitstreamException("unsupported HEVC configurationVersion " + version);
        }
        int profileIdc = data[offset + 1] & 0x1F;
        int levelIdc = data[offset + 12] & 0xFF;
        int lengthSize = (data[offset + 21] & 0x03) + 1;
        if (lengthSize == 3) {
            throw new BitstreamException("lengthSizeMinusOne 2 is not allowed");
        }
        int numArrays = data[offset + 22] & 0xFF;
        if (numArrays > MAX_ARRAYS) {
            throw new BitstreamException("too many arrays: " + numArrays);
        }
        List<byte[]> vps = new ArrayList<>(1);
        List<byte[]> sps = new ArrayList<>(1);
        List<byte[]> pps = new ArrayList<>(1);
        int end = offset + length;
        int p = offset + HEADER_LENGTH;
        for (int a = 0; a < numArrays; a++) {
            if (end - p < 3) {
                throw new BitstreamException("truncated HEVC array header");
            }
            int type = data[p] & 0x3F;
            int numNalus = (data[p + 1] & 0xFF) << 8 | (data[p + 2] & 0xFF);
            p += 3;
            List<byte[]> target = type == NAL_VPS ? vps : type == NAL_SPS ? sps : type == NAL_PPS ? pps : null;
            for (int i = 0; i < numNalus; i++) {
                if (end - p < 2) {
                    throw new BitstreamException("truncated HEVC NAL unit length");
                }
                int n = (data[p] & 0xFF) << 8 | (data[p + 1] & 0xFF);
                p += 2;
                if (n > end - p) {
                    throw new BitstreamException("HEVC NAL unit length " + n + " beyond record (" + (end - p) + " left)");
                }
                if (target != null) {
                    if (n == 0) {
                        throw new BitstreamException("empty HEVC parameter set");
                    }
                    if (target.size() >= MAX_PARAMETER_SETS) {
                        throw new BitstreamException("too many HEVC parameter sets of type " + type);
                    }
                    target.add(Arrays.copyOfRange(data, p, p + n));
                }
                p += n;
            }
        }
        return new HevcDecoderConfig(profileIdc, levelIdc, lengthSize, vps, sps, pps);
    }

    /**
     * A record for parameter sets that arrived in-band (an Annex B stream such as MPEG-TS has no record of its own), with
     * 4-byte NAL lengths and profile and level from the first SPS. BitstreamException when there is no SPS, the first SPS
     * cannot be read, a list has more than {@value #MAX_PARAMETER_SETS} units, or a unit is empty or longer than
     * {@value #MAX_PARAMETER_SET_LENGTH} bytes: {@link #encode()} could not write such a record.
     */
    public static HevcDecoderConfig fromParameterSets(List<byte[]> vps, List<byte[]> sps, List<byte[]> pps)
            throws BitstreamException {
        checkSets(vps, "VPS");
        checkSets(sps, "SPS");
        checkSets(pps, "PPS");
        if (sps.isEmpty()) {
            throw new BitstreamException("no SPS to build an HEVC configuration record from");
        }
        HevcSps first = HevcSps.parse(sps.get(0), 0, sps.get(0).length);
        return new HevcDecoderConfig(first.generalProfileIdc(), first.generalLevelIdc(), 4, vps, sps, pps);
    }

    private static void checkSets(List<byte[]> sets, String what) throws BitstreamException {
        if (sets.size() > MAX_PARAMETER_SETS) {
            throw new BitstreamException(sets.size() + " " + what + " units, more than " + MAX_PARAMETER_SETS);
        }
        for (byte[] s : sets) {
            if (s.length == 0 || s.length > MAX_PARAMETER_SET_LENGTH) {
                throw new BitstreamException(what + " of " + s.length + " bytes");
            }
        }
    }

    /**
     * The record in ISO/IEC 14496-15 8.3.3.1 syntax: one complete array each for the VPS, SPS and PPS units (those that are
     * present), in that order. general_profile_space .. general_level_idc are copied from the first SPS's
     * profile_tier_level, chroma format and bit depths are read from it, and numTemporalLayers and temporalIdNested come
     * from its sps_max_sub_layers_minus1 and sps_temporal_id_nesting_flag. Fields that need the VUI or the whole stream
     * are written as "unknown": min_spatial_segmentation_idc 0, parallelismType 0, avgFrameRate 0, constantFrameRate 0.
     * Without a readable SPS the profile and level fields of this record are used, with 4:2:0 8-bit.
     */
    public byte[] encode() {
        byte[] ptl = null;
        int chroma = 1;
        int lumaMinus8 = 0;
        int chromaMinus8 = 0;
        int temporalLayers = 1;
        int nested = 0;
        if (!sps.isEmpty()) {
            byte[] s = sps.get(0);
            byte[] rbsp = BitReader.unescapeRbsp(s, 0, s.length, SPS_PTL_BYTES);
            if (rbsp.length == SPS_PTL_BYTES) {
                ptl = Arrays.copyOfRange(rbsp, 3, SPS_PTL_BYTES);
                temporalLayers = ((rbsp[2] >> 1) & 0x07) + 1;
                nested = rbsp[2] & 1;
            }
            try {
                HevcSps parsed = HevcSps.parse(s, 0, s.length);
                chroma = parsed.chromaFormatIdc();
                lumaMinus8 = parsed.bitDepthLuma() - 8;
                chromaMinus8 = parsed.bitDepthChroma() - 8;
            } catch (BitstreamException e) {
                // keep 4:2:0 8-bit
            }
        }
        if (ptl == null) {
            ptl = new byte[12];
            ptl[0] = (byte) (generalProfileIdc & 0x1F);
            if (generalProfileIdc < 32) {
                int compat = 1 << (31 - generalProfileIdc);
                ptl[1] = (byte) (compat >>> 24);
                ptl[2] = (byte) (compat >>> 16);
                ptl[3] = (byte) (compat >>> 8);
                ptl[4] = (byte) compat;
            }
            ptl[11] = (byte) generalLevelIdc;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(HEADER_LENGTH + 128);
        out.write(1); // configurationVersion
        out.write(ptl, 0, ptl.length);
        out.write(0xF0); // reserved '1111', min_spatial_segmentation_idc 0 (12 bits)
        out.write(0x00);
        out.write(0xFC); // reserved '111111', parallelismType 0
        out.write(0xFC | chroma);
        out.write(0xF8 | lumaMinus8);
        out.write(0xF8 | chromaMinus8);
        out.write(0); // avgFrameRate 0
        out.write(0);
        // constantFrameRate 0, numTemporalLayers, temporalIdNested, lengthSizeMinusOne
        out.write(Math.min(temporalLayers, 7) << 3 | nested << 2 | (nalLengthSize - 1));
        int arrays = (vps.isEmpty() ? 0 : 1) + (sps.isEmpty() ? 0 : 1) + (pps.isEmpty() ? 0 : 1);
        out.write(arrays);
        writeArray(out, NAL_VPS, vps);
        writeArray(out, NAL_SPS, sps);
        writeArray(out, NAL_PPS, pps);
        return out.toByteArray();
    }

    /** array_completeness 1 (every unit of the type is here: none are in the samples), reserved 0, type, count, units. */
    private static void writeArray(ByteArrayOutputStream out, int type, List<byte[]> units) {
        if (units.isEmpty()) {
            return;
        }
        out.write(0x80 | type);
        out.write(units.size() >> 8);
        out.write(units.size());
        for (byte[] u : units) {
            out.write(u.length >> 8);
            out.write(u.length);
            out.write(u, 0, u.length);
        }
    }

    /**
     * Codec string "hvc1.[A-C]P.C.TL.CC[.CC...]" (ISO/IEC 14496-15 Annex E) from the first SPS's general profile_tier_level;
     * "hvc1.P.(1 shl P).L<level>.B0" -like fallback from the record fields if there is no readable SPS.
     */
    public String codecString() {
        if (!sps.isEmpty()) {
            byte[] s = sps.get(0);
            byte[] rbsp = BitReader.unescapeRbsp(s, 0, s.length, SPS_PTL_BYTES);
            try {
                BitReader r = new BitReader(rbsp, 0, rbsp.length);
                r.skip(16 + 8); // NAL header; sps_video_parameter_set_id, max_sub_layers_minus1, temporal_id_nesting
                int space = r.u(2);
                int tier = r.u(1);
                int profile = r.u(5);
                long compat = r.bits(32);
                long constraintHi = r.bits(32);
                long constraintLo = r.bits(16);
                int level = r.u(8);
                byte[] constraints = new byte[6];
                for (int i = 0; i < 4; i++) {
                    constraints[i] = (byte) (constraintHi >>> (24 - 8 * i));
                }
                constraints[4] = (byte) (constraintLo >>> 8);
                constraints[5] = (byte) constraintLo;
                return format(space, tier, profile, compat, level, constraints);
            } catch (BitstreamException e) {
                // fall back below
            }
        }
        long compat = generalProfileIdc < 32 ? 1L << (31 - generalProfileIdc) : 0;
        return format(0, 0, generalProfileIdc, compat, generalLevelIdc, new byte[] {(byte) 0xB0});
    }

    private static String format(int space, int tier, int profile, long compat, int level, byte[] constraints) {
        StringBuilder sb = new StringBuilder("hvc1.");
        if (space > 0) {
            sb.append((char) ('A' + space - 1));
        }
        sb.append(profile).append('.');
        // general_profile_compatibility_flag[j] in reverse bit order, hex without leading zeros
        sb.append(Long.toHexString(Integer.toUnsignedLong(Integer.reverse((int) compat))).toUpperCase()).append('.');
        sb.append(tier == 0 ? 'L' : 'H').append(level);
        int last = constraints.length;
        while (last > 0 && constraints[last - 1] == 0) {
            last--;
        }
        for (int i = 0; i < last; i++) {
            sb.append('.').append(String.format("%02X", constraints[i] & 0xFF));
        }
        return sb.toString();
    }
}
