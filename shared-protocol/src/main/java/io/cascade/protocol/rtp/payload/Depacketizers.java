package io.cascade.protocol.rtp.payload;

import io.cascade.media.Codec;
import io.cascade.protocol.aac.StreamMuxConfig;
import io.cascade.protocol.h264.BitstreamException;
import io.cascade.protocol.rtp.RtpException;
import java.util.Locale;
import java.util.Map;

/** Picks the depacketizer for a payload format as an SDP describes it ({@code a=rtpmap} encoding name and {@code a=fmtp}). */
public final class Depacketizers {
    private Depacketizers() {
    }

    /** The codec an encoding name carries, or null when none we carry. */
    public static Codec codec(String encodingName) {
        return switch (encodingName.toUpperCase(Locale.ROOT)) {
            case "H264" -> Codec.H264;
            case "H265" -> Codec.H265;
            case "MPEG4-GENERIC", "MP4A-LATM" -> Codec.AAC;
            default -> null;
        };
    }

    /**
     * @param encodingName the rtpmap encoding name (H264, H265, MPEG4-GENERIC, MP4A-LATM; any case)
     * @param fmtp         the format parameters (empty when there is no a=fmtp line)
     * @throws RtpException for a format or a mode we do not read: H.264 packetization-mode 2, H.265 with DONL,
     *                      mpeg4-generic other than AAC-hbr/lbr, LATM with the configuration in band
     */
    public static Depacketizer create(String encodingName, Map<String, String> fmtp) throws RtpException {
        switch (encodingName.toUpperCase(Locale.ROOT)) {
            case "H264" -> {
                int mode = FormatParameters.intValue(fmtp, "packetization-mode", 0);
                if (mode > 1) {
                    throw new RtpException("H.264 packetization-mode " + mode + " is not supported");
                }
                return new H264Depacketizer();
            }
            case "H265" -> {
                return H265Depacketizer.forMaxDonDiff(FormatParameters.intValue(fmtp, "sprop-max-don-diff", 0));
            }
            case "MPEG4-GENERIC" -> {
                String type = FormatParameters.get(fmtp, "streamType");
                if (type != null && !type.trim().equals("5")) {
                    throw new RtpException("mpeg4-generic streamType " + type + " is not audio");
                }
                return AacHbrDepacketizer.fromFormatParameters(fmtp);
            }
            case "MP4A-LATM" -> {
                if (FormatParameters.intValue(fmtp, "cpresent", 1) != 0) {
                    throw new RtpException("MP4A-LATM with the configuration in band (cpresent=1) is not supported");
                }
                String config = FormatParameters.get(fmtp, "config");
                if (config == null) {
                    throw new RtpException("MP4A-LATM without config");
                }
                try {
                    return new LatmDepacketizer(StreamMuxConfig.parseHex(config.trim()), AacHbrDepacketizer.DEFAULT_FRAME_DURATION);
                } catch (BitstreamException e) {
                    throw new RtpException("MP4A-LATM config: " + e.getMessage());
                }
            }
            default -> throw new RtpException("RTP payload format " + encodingName + " is not supported");
        }
    }
}
