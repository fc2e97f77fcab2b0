package io.cascade.protocol.h265;

import io.cascade.protocol.h264.BitReader;
import io.cascade.protocol.h264.BitstreamException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 8.3.3.1): nalLengthSize and the VPS/SPS/PPS arrays (other arrays, e.g.
 * SEI, are skipped), and a best-effort RFC 6381 / 14496-15 Annex E codec string. The parameter set arrays are shared, not
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
