package io.cascade.protocol.rtp.frames;

import io.cascade.media.Codec;
import io.cascade.protocol.h264.BitstreamException;
import io.cascade.protocol.rtp.RtpException;
import io.cascade.protocol.rtp.payload.Depacketizers;
import io.cascade.protocol.sdp.SdpException;
import io.cascade.protocol.sdp.SdpFormats;

import java.util.Map;

/**
 * The one track of a raw RTP stream (EMS's {@code rtp://} pull), which arrives with no SDP: what an SDP would have said
 * is given as parameters instead. Video is H.264 (RFC 6184, packetization mode 1, which also reads mode 0) with its
 * SPS and PPS in base64; audio is AAC as mpeg4-generic AAC-hbr (RFC 3640, what ffmpeg and most encoders send) with its
 * AudioSpecificConfig in hex.
 */
public final class RawRtpTrack {
    /** Longer parameter text is no SPS, PPS or AudioSpecificConfig. */
    public static final int MAX_PARAMETER_LENGTH = 1024;

    private RawRtpTrack() {
    }

    /** @throws SdpException naming the parameter that is missing or wrong */
    public static RtpToFrames.Track video(int payloadType, String spsBase64, String ppsBase64) throws SdpException {
        require("spsBytes", spsBase64);
        require("ppsBytes", ppsBase64);
        Map<String, String> fmtp = Map.of("packetization-mode", "1", "sprop-parameter-sets",
                spsBase64.trim() + "," + ppsBase64.trim());
        byte[] config = SdpFormats.h264Config(fmtp).encode();
        return track(RtpToFrames.VIDEO_TRACK, Codec.H264, "H264", fmtp, payloadType, 90_000, config);
    }

    /** @throws SdpException naming the parameter that is missing or wrong */
    public static RtpToFrames.Track audio(int payloadType, String audioConfigHex) throws SdpException {
        require("audioCodecBytes", audioConfigHex);
        Map<String, String> fmtp = Map.of("streamtype", "5", "mode", "AAC-hbr", "sizelength", "13", "indexlength", "3",
                "indexdeltalength", "3", "config", audioConfigHex.trim());
        byte[] config = SdpFormats.aacConfig("MPEG4-GENERIC", fmtp);
        int clockRate;
        try {
            clockRate = FramesToRtp.clockRate(Codec.AAC, config);
        } catch (BitstreamException e) {
            throw new SdpException("audioCodecBytes: " + e.getMessage());
        }
        return track(RtpToFrames.AUDIO_TRACK, Codec.AAC, "MPEG4-GENERIC", fmtp, payloadType, clockRate, config);
    }

    private static RtpToFrames.Track track(int number, Codec codec, String encoding, Map<String, String> fmtp,
                                           int payloadType, int clockRate, byte[] config) throws SdpException {
        try {
            return new RtpToFrames.Track(number, codec, payloadType, clockRate, config,
                    Depacketizers.create(encoding, fmtp));
        } catch (RtpException | IllegalArgumentException e) {
            throw new SdpException(e.getMessage());
        }
    }

    private static void require(String name, String value) throws SdpException {
        if (value == null || value.isBlank()) {
            throw new SdpException(name + " is required");
        }
        if (value.length() > MAX_PARAMETER_LENGTH) {
            throw new SdpException(name + " is longer than " + MAX_PARAMETER_LENGTH + " characters");
        }
    }
}
