package io.cascade.protocol.h265;

import static io.cascade.protocol.flv.Hex.bytes;

import io.cascade.protocol.flv.FlvVectors;
import java.util.List;

/** THE table of HEVCDecoderConfigurationRecord vectors: drives decode tests and fuzz seeds. */
public final class HevcVectors {
    private HevcVectors() {
    }

    public record Config(String name, byte[] record, int profile, int level, int nalLengthSize, int numVps, int numSps,
                         int numPps, String codecString) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** Fixed header up to and including avgFrameRate (the byte with lengthSizeMinusOne and numOfArrays follow). */
    private static final String PREFIX =
            "01"                        // configurationVersion
            + "01"                      // profile_space 0, tier 0 (Main), profile_idc 1 (Main)
            + "60000000"                // compatibility flags 1 and 2
            + "900000000000"            // constraint flags: progressive_source, frame_only
            + "1e"                      // level_idc 30 (level 1)
            + "f000"                    // min_spatial_segmentation_idc 0
            + "fc"                      // parallelismType 0
            + "fd"                      // chromaFormat 1
            + "f8 f8"                   // bit depths 8
            + "0000";                   // avgFrameRate 0
    /** constantFrameRate 0, 2 temporal layers, temporalIdNested, lengthSizeMinusOne 3. */
    private static final String HEADER = PREFIX + "0f";
    private static final String VPS = "a0 0001 0018 40010c01ffff01600000030090000003000003001e959409";
    private static final String SPS =
            "a1 0001 0028 42010101600000030090000003000003001ea0208105965654a4c2f0168080000003008000000f04";
    private static final String PPS = "a2 0001 0006 4401c073c089";

    public static final List<Config> CONFIGS = List.of(
            new Config("libx265 3.5 Main 64x64 hvcC (mp4 mux by ffmpeg), SEI array dropped",
                    bytes(FlvVectors.HEVC_64_RECORD), 1, 30, 4, 1, 1, 1, "hvc1.1.6.L30.90"),
            new Config("libx265 hvcC with a short prefix SEI array (type 39, skipped)",
                    bytes(HEADER, "04", // 4 arrays
                          VPS, SPS, PPS,
                          "27 0001 0003 4e0180"), // array of 1 prefix SEI NAL
                    1, 30, 4, 1, 1, 1, "hvc1.1.6.L30.90"),
            new Config("no SPS: codec string falls back to record fields (synthetic, 2-byte lengths)",
                    bytes("01 01 60000000 900000000000 5d f000 fc fd f8 f8 0000 0d", "01", VPS),
                    1, 93, 2, 1, 0, 0, "hvc1.1.2.L93.B0"));

    public static final List<byte[]> BAD_CONFIGS = List.of(
            bytes(""),
            bytes("01 01 60000000"),                                    // cut inside the fixed header
            bytes(HEADER + "01"),               // 1 array announced, none present
            bytes("00" + HEADER.substring(2), "00"),                     // configurationVersion 0
            bytes(PREFIX + "0e" + "00"),               // lengthSizeMinusOne 2
            bytes(HEADER + "01", "a1 0001 0028 4201"), // SPS length beyond data
            bytes(HEADER + "01", "a1 0002 0002 4201"), // 2 SPS announced, 1 present
            bytes(HEADER + "01", "a1 0001 0000"), // empty SPS
            bytes(HEADER + "41"));              // 65 arrays > MAX_ARRAYS
}
