package io.cascade.protocol.h264;

/**
 * The leading fields of an H.264 sequence parameter set (ITU-T H.264 7.3.2.1.1) up to frame cropping: enough for the
 * picture size an MP4 sample entry or a playlist announces.
 *
 * <p>{@link #width()} and {@link #height()} are the cropped luma dimensions of a decoded frame (7.4.2.1.1, frame cropping
 * applied). The sample aspect ratio in the VUI is not applied: a 720x576 SPS with SAR 16:15 still gives 720x576.
 */
public record AvcSps(int profileIdc, int levelIdc, int chromaFormatIdc, int bitDepthLuma, int bitDepthChroma,
                     boolean frameMbsOnly, int width, int height) {
    /**
     * Largest PicWidthInMbs and FrameHeightInMbs accepted. Annex A (A.3.1 f, g) bounds each by sqrt(8 * MaxFS); the largest
     * MaxFS of Table A-1 (level 6.2) is 139,264 macroblocks, giving 1055.
     */
    public static final int MAX_DIMENSION_IN_MBS = 1055;
    /**
     * Unescaped SPS bytes read at most. The fields up to frame cropping fit in a few dozen bytes except two loops: scaling
     * lists (12 lists of at most 64 se(v) deltas in -128..127, 17 bits each: 1632 bytes) and the POC cycle (257 se(v) of at
     * most 63 bits: 2024 bytes). 4 KiB covers both.
     */
    static final int MAX_SPS_HEADER_BYTES = 4096;
    /** H.264 7.4.2.1.1: num_ref_frames_in_pic_order_cnt_cycle is in 0..255. */
    private static final int MAX_REF_FRAMES_IN_POC_CYCLE = 255;
    private static final int NAL_TYPE_SPS = 7;

    /** Parses the SPS NAL unit nal[offset, offset+length), NAL header byte included, emulation prevention bytes still in. */
    public static AvcSps parse(byte[] nal, int offset, int length) throws BitstreamException {
        if (nal == null || offset < 0 || length < 0 || offset > nal.length - length) {
            throw new BitstreamException("slice outside array");
        }
        if (length < 1 || (nal[offset] & 0x1F) != NAL_TYPE_SPS) {
            throw new BitstreamException("not an H.264 SPS NAL unit");
        }
        byte[] rbsp = BitReader.unescapeRbsp(nal, offset, length, MAX_SPS_HEADER_BYTES);
        BitReader r = new BitReader(rbsp, 0, rbsp.length);
        r.skip(8); // NAL header
        int profileIdc = r.u(8);
        r.skip(8); // constraint_set0..5 flags, reserved_zero_2bits
        int levelIdc = r.u(8);
        r.ue(); // seq_parameter_set_id
        int chromaFormatIdc = 1; // 4:2:0 8-bit is inferred when the profile does not carry the fields
        boolean separateColourPlane = false;
        int bitDepthLuma = 8;
        int bitDepthChroma = 8;
        if (hasChromaFormatFields(profileIdc)) {
            chromaFormatIdc = r.ue();
            if (chromaFormatIdc > 3) {
                throw new BitstreamException("chroma_format_idc " + chromaFormatIdc);
            }
            if (chromaFormatIdc == 3) {
                separateColourPlane = r.bit() == 1;
            }
            bitDepthLuma = 8 + boundedUe(r, 6, "bit_depth_luma_minus8");
            bitDepthChroma = 8 + boundedUe(r, 6, "bit_depth_chroma_minus8");
            r.skip(1); // qpprime_y_zero_transform_bypass_flag
            if (r.bit() == 1) { // seq_scaling_matrix_present_flag
                skipScalingLists(r, chromaFormatIdc != 3 ? 8 : 12);
            }
        }
        boundedUe(r, 12, "log2_max_frame_num_minus4");
        int pocType = boundedUe(r, 2, "pic_order_cnt_type");
        if (pocType == 0) {
            boundedUe(r, 12, "log2_max_pic_order_cnt_lsb_minus4");
        } else if (pocType == 1) {
            r.skip(1); // delta_pic_order_always_zero_flag
            se(r); // offset_for_non_ref_pic
            se(r); // offset_for_top_to_bottom_field
            int cycle = boundedUe(r, MAX_REF_FRAMES_IN_POC_CYCLE, "num_ref_frames_in_pic_order_cnt_cycle");
            for (int i = 0; i < cycle; i++) {
                se(r); // offset_for_ref_frame[i]
            }
        }
        r.ue(); // max_num_ref_frames
        r.skip(1); // gaps_in_frame_num_value_allowed_flag
        int widthInMbs = boundedUe(r, MAX_DIMENSION_IN_MBS - 1, "pic_width_in_mbs_minus1") + 1;
        int heightInMapUnits = boundedUe(r, MAX_DIMENSION_IN_MBS - 1, "pic_height_in_map_units_minus1") + 1;
        boolean frameMbsOnly = r.bit() == 1;
        if (!frameMbsOnly) {
            r.skip(1); // mb_adaptive_frame_field_flag
        }
        r.skip(1); // direct_8x8_inference_flag
        // a field-coded SPS counts map units of field macroblock pairs: a frame is twice as many macroblock rows (7-18)
        int heightInMbs = (frameMbsOnly ? 1 : 2) * heightInMapUnits;
        if (heightInMbs > MAX_DIMENSION_IN_MBS) {
            throw new BitstreamException("frame height " + heightInMbs + " macroblocks exceeds " + MAX_DIMENSION_IN_MBS);
        }
        int width = widthInMbs * 16;
        int height = heightInMbs * 16;
        if (r.bit() == 1) { // frame_cropping_flag
            // crop offsets count chroma samples (and field rows): units from Table 6-1 and equations 7-19..7-22
            int chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
            int cropUnitX = chromaArrayType == 1 || chromaArrayType == 2 ? 2 : 1;
            int cropUnitY = (chromaArrayType == 1 ? 2 : 1) * (frameMbsOnly ? 1 : 2);
            // each ue() is at most 2^31-1, so the sums fit in a long; a crop that leaves nothing is rejected below
            long cropX = (long) cropUnitX * ((long) r.ue() + r.ue());
            long cropY = (long) cropUnitY * ((long) r.ue() + r.ue());
            if (cropX >= width || cropY >= height) {
                throw new BitstreamException("frame cropping " + cropX + "x" + cropY + " leaves no picture of " + width
                        + "x" + height);
            }
            width -= (int) cropX;
            height -= (int) cropY;
        }
        return new AvcSps(profileIdc, levelIdc, chromaFormatIdc, bitDepthLuma, bitDepthChroma, frameMbsOnly, width, height);
    }

    /** Profiles whose SPS carries chroma_format_idc, bit depths and scaling matrices (7.3.2.1.1). */
    private static boolean hasChromaFormatFields(int profileIdc) {
        switch (profileIdc) {
            case 100: case 110: case 122: case 244: case 44: case 83: case 86: case 118: case 128: case 138: case 139:
            case 134: case 135:
                return true;
            default:
                return false;
        }
    }

    /** scaling_list() syntax (7.3.2.1.1.1): only read past, the values do not matter for the picture size. */
    private static void skipScalingLists(BitReader r, int count) throws BitstreamException {
        for (int i = 0; i < count; i++) {
            if (r.bit() == 0) { // seq_scaling_list_present_flag[i]
                continue;
            }
            int size = i < 6 ? 16 : 64;
            int lastScale = 8;
            int nextScale = 8;
            for (int j = 0; j < size && nextScale != 0; j++) {
                int delta = se(r);
                if (delta < -128 || delta > 127) {
                    throw new BitstreamException("delta_scale " + delta);
                }
                nextScale = (lastScale + delta + 256) % 256;
                lastScale = nextScale == 0 ? lastScale : nextScale;
            }
        }
    }

    private static int boundedUe(BitReader r, int max, String field) throws BitstreamException {
        int v = r.ue();
        if (v > max) {
            throw new BitstreamException(field + " " + v + " exceeds " + max);
        }
        return v;
    }

    /** se(v) (9.1.1): code k maps to (-1)^(k+1) * ceil(k / 2). */
    static int se(BitReader r) throws BitstreamException {
        int k = r.ue();
        int magnitude = (int) (((long) k + 1) / 2);
        return (k & 1) == 1 ? magnitude : -magnitude;
    }
}
