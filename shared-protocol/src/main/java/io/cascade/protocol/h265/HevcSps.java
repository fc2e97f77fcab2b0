package io.cascade.protocol.h265;

import io.cascade.protocol.h264.BitReader;
import io.cascade.protocol.h264.BitstreamException;

/**
 * The leading fields of an H.265 sequence parameter set (ITU-T H.265 7.3.2.2.1) up to the bit depths: enough for the
 * picture size an MP4 sample entry or a playlist announces.
 *
 * <p>{@link #width()} and {@link #height()} are the luma dimensions after the conformance window (7.4.3.2.1), which is
 * what a decoder outputs; the VUI sample aspect ratio is not applied.
 */
public record HevcSps(int generalProfileSpace, int generalTierFlag, int generalProfileIdc, int generalLevelIdc,
                      int chromaFormatIdc, int bitDepthLuma, int bitDepthChroma, int width, int height) {
    /**
     * Largest pic_width/height_in_luma_samples accepted. Annex A (A.4.1) bounds each by sqrt(8 * MaxLumaPs); the largest
     * MaxLumaPs of Table A.8 (level 6.x) is 35,651,584 samples, giving 16,888.
     */
    public static final int MAX_DIMENSION = 16888;
    /**
     * Unescaped SPS bytes read at most: the NAL header, profile_tier_level with 6 sub-layers (2 + 12 + 2 + 6 * 12 bytes)
     * and seven ue(v) of at most 63 bits each need under 150 bytes.
     */
    static final int MAX_SPS_HEADER_BYTES = 256;
    private static final int NAL_TYPE_SPS = 33;
    /** Bits of a profile (general or sub-layer) in profile_tier_level before its level_idc. */
    private static final int PROFILE_BITS = 88;

    /** Parses the SPS NAL unit nal[offset, offset+length), 2-byte NAL header included, emulation prevention bytes still in. */
    public static HevcSps parse(byte[] nal, int offset, int length) throws BitstreamException {
        if (nal == null || offset < 0 || length < 0 || offset > nal.length - length) {
            throw new BitstreamException("slice outside array");
        }
        if (length < 2 || (nal[offset] >> 1 & 0x3F) != NAL_TYPE_SPS) {
            throw new BitstreamException("not an H.265 SPS NAL unit");
        }
        byte[] rbsp = BitReader.unescapeRbsp(nal, offset, length, MAX_SPS_HEADER_BYTES);
        BitReader r = new BitReader(rbsp, 0, rbsp.length);
        r.skip(16); // NAL header
        r.skip(4); // sps_video_parameter_set_id
        int maxSubLayersMinus1 = r.u(3);
        if (maxSubLayersMinus1 > 6) {
            throw new BitstreamException("sps_max_sub_layers_minus1 7 is reserved");
        }
        r.skip(1); // sps_temporal_id_nesting_flag
        // profile_tier_level(1, sps_max_sub_layers_minus1) (7.3.3)
        int profileSpace = r.u(2);
        int tierFlag = r.u(1);
        int profileIdc = r.u(5);
        r.skip(PROFILE_BITS - 8); // compatibility flags, source and constraint flags
        int levelIdc = r.u(8);
        boolean[] subLayerProfilePresent = new boolean[maxSubLayersMinus1];
        boolean[] subLayerLevelPresent = new boolean[maxSubLayersMinus1];
        for (int i = 0; i < maxSubLayersMinus1; i++) {
            subLayerProfilePresent[i] = r.bit() == 1;
            subLayerLevelPresent[i] = r.bit() == 1;
        }
        if (maxSubLayersMinus1 > 0) {
            r.skip(2 * (8 - maxSubLayersMinus1)); // reserved_zero_2bits up to eight entries
        }
        for (int i = 0; i < maxSubLayersMinus1; i++) {
            if (subLayerProfilePresent[i]) {
                r.skip(PROFILE_BITS);
            }
            if (subLayerLevelPresent[i]) {
                r.skip(8);
            }
        }
        boundedUe(r, 15, "sps_seq_parameter_set_id");
        int chromaFormatIdc = boundedUe(r, 3, "chroma_format_idc");
        boolean separateColourPlane = chromaFormatIdc == 3 && r.bit() == 1;
        int width = boundedUe(r, MAX_DIMENSION, "pic_width_in_luma_samples");
        int height = boundedUe(r, MAX_DIMENSION, "pic_height_in_luma_samples");
        if (width == 0 || height == 0) {
            throw new BitstreamException("empty picture " + width + "x" + height);
        }
        if (r.bit() == 1) { // conformance_window_flag
            // offsets count chroma samples: SubWidthC and SubHeightC of Table 6-1 (1 for 4:0:0, 4:4:4 and separate planes)
            int chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
            int subWidthC = chromaArrayType == 1 || chromaArrayType == 2 ? 2 : 1;
            int subHeightC = chromaArrayType == 1 ? 2 : 1;
            // each ue() is at most 2^31-1, so the sums fit in a long; a window that leaves nothing is rejected below
            long cropX = subWidthC * ((long) r.ue() + r.ue());
            long cropY = subHeightC * ((long) r.ue() + r.ue());
            if (cropX >= width || cropY >= height) {
                throw new BitstreamException("conformance window " + cropX + "x" + cropY + " leaves no picture of " + width
                        + "x" + height);
            }
            width -= (int) cropX;
            height -= (int) cropY;
        }
        int bitDepthLuma = 8 + boundedUe(r, 8, "bit_depth_luma_minus8");
        int bitDepthChroma = 8 + boundedUe(r, 8, "bit_depth_chroma_minus8");
        return new HevcSps(profileSpace, tierFlag, profileIdc, levelIdc, chromaFormatIdc, bitDepthLuma, bitDepthChroma, width,
                height);
    }

    private static int boundedUe(BitReader r, int max, String field) throws BitstreamException {
        int v = r.ue();
        if (v > max) {
            throw new BitstreamException(field + " " + v + " exceeds " + max);
        }
        return v;
    }
}
