package io.cascade.protocol.sdp;

import io.cascade.media.Codec;
import io.cascade.media.MediaFrame;
import io.cascade.media.TrackType;
import io.cascade.protocol.aac.AudioSpecificConfig;
import io.cascade.protocol.aac.StreamMuxConfig;
import io.cascade.protocol.h264.AvcDecoderConfig;
import io.cascade.protocol.h264.BitstreamException;
import io.cascade.protocol.h265.HevcDecoderConfig;
import io.cascade.protocol.rtp.payload.FormatParameters;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Between SDP format parameters and the decoder configurations that config frames carry: reading an announced stream's
 * parameter sets or AudioSpecificConfig, and describing a stream for playback from its config frame.
 */
public final class SdpFormats {
    /** Payload type of the video stream in descriptions we write (dynamic range). */
    public static final int VIDEO_PAYLOAD_TYPE = 96;
    /** Payload type of the audio stream in descriptions we write. */
    public static final int AUDIO_PAYLOAD_TYPE = 97;
    public static final int VIDEO_CLOCK_RATE = 90000;
    /** The static payload type of MPEG-TS over RTP (RFC 3551 6, RFC 2250), at {@link #VIDEO_CLOCK_RATE}. */
    public static final int MP2T_PAYLOAD_TYPE = 33;
    /** Most parameter sets read from one sprop parameter. */
    private static final int MAX_SETS = 32;

    private SdpFormats() {
    }

    /**
     * The AVCDecoderConfigurationRecord (4-byte NAL lengths) of {@code sprop-parameter-sets}: base64 NAL units separated
     * by commas, SPS (type 7) and PPS (type 8) in any order. Profile, compatibility and level come from the first SPS, or
     * from {@code profile-level-id} when no SPS is long enough. Null when the parameter is absent: the parameter sets
     * then come in band.
     */
    public static AvcDecoderConfig h264Config(Map<String, String> fmtp) throws SdpException {
        String sprop = FormatParameters.get(fmtp, "sprop-parameter-sets");
        if (sprop == null || sprop.isBlank()) {
            return null;
        }
        List<byte[]> sps = new ArrayList<>();
        List<byte[]> pps = new ArrayList<>();
        for (byte[] nal : base64List(sprop, "sprop-parameter-sets")) {
            int type = nal[0] & 0x1F;
            if (type == 7) {
                sps.add(nal);
            } else if (type == 8) {
                pps.add(nal);
            }
            // other NAL units (SEI, SPS extensions) have no place in the record
        }
        if (sps.isEmpty() || pps.isEmpty()) {
            throw new SdpException("sprop-parameter-sets without both an SPS and a PPS");
        }
        int profile;
        int compat;
        int level;
        byte[] first = sps.get(0);
        if (first.length >= 4) {
            profile = first[1] & 0xFF;
            compat = first[2] & 0xFF;
            level = first[3] & 0xFF;
        } else {
            String pli = FormatParameters.get(fmtp, "profile-level-id");
            if (pli == null || pli.trim().length() != 6) {
                throw new SdpException("SPS too short and no profile-level-id");
            }
            byte[] b = hex(pli.trim(), "profile-level-id");
            profile = b[0] & 0xFF;
            compat = b[1] & 0xFF;
            level = b[2] & 0xFF;
        }
        try {
            return new AvcDecoderConfig(profile, compat, level, 4, sps, pps);
        } catch (IllegalArgumentException e) {
            throw new SdpException("sprop-parameter-sets: " + e.getMessage());
        }
    }

    /**
     * The HEVCDecoderConfigurationRecord of {@code sprop-vps}, {@code sprop-sps} and {@code sprop-pps} (base64 NAL units
     * separated by commas), or null when sprop-sps is absent.
     */
    public static byte[] h265Config(Map<String, String> fmtp) throws SdpException {
        String sps = FormatParameters.get(fmtp, "sprop-sps");
        if (sps == null || sps.isBlank()) {
            return null;
        }
        String vps = FormatParameters.get(fmtp, "sprop-vps");
        String pps = FormatParameters.get(fmtp, "sprop-pps");
        try {
            return HevcDecoderConfig.fromParameterSets(vps == null ? List.of() : base64List(vps, "sprop-vps"),
                    base64List(sps, "sprop-sps"), pps == null ? List.of() : base64List(pps, "sprop-pps")).encode();
        } catch (BitstreamException e) {
            throw new SdpException("H.265 parameter sets: " + e.getMessage());
        }
    }

    /**
     * The AudioSpecificConfig of an AAC stream: the {@code config} hex of mpeg4-generic, or the one inside the
     * StreamMuxConfig of MP4A-LATM.
     */
    public static byte[] aacConfig(String encodingName, Map<String, String> fmtp) throws SdpException {
        String config = FormatParameters.get(fmtp, "config");
        if (config == null || config.isBlank()) {
            throw new SdpException(encodingName + " without config");
        }
        try {
            if (encodingName.equalsIgnoreCase("MP4A-LATM")) {
                return StreamMuxConfig.parseHex(config.trim()).audioSpecificConfig();
            }
            if (!encodingName.equalsIgnoreCase("MPEG4-GENERIC")) {
                throw new SdpException(encodingName + " is not an AAC payload format");
            }
            byte[] asc = hex(config.trim(), "config");
            AudioSpecificConfig.parse(asc, 0, asc.length);
            return asc;
        } catch (BitstreamException e) {
            throw new SdpException("AAC config: " + e.getMessage());
        }
    }

    /**
     * The media description a player needs for a stream, from the payload of its config frame (AVC or HEVC record,
     * AudioSpecificConfig): H.264 with packetization-mode=1, profile-level-id and sprop-parameter-sets; H.265 with
     * sprop-vps/sps/pps; AAC as mpeg4-generic AAC-hbr (13/3/3) with its config.
     *
     * @param control the a=control value SETUP will name the stream by (e.g. "trackID=0")
     */
    public static MediaDescription describe(Codec codec, byte[] config, String control) throws SdpException {
        try {
            switch (codec) {
                case H264 -> {
                    AvcDecoderConfig c = AvcDecoderConfig.parse(config, 0, config.length);
                    if (c.sps().isEmpty() || c.pps().isEmpty()) {
                        throw new SdpException("AVC configuration record without an SPS and a PPS");
                    }
                    String sets = String.join(",", base64(c.sps())) + "," + String.join(",", base64(c.pps()));
                    return MediaDescription.rtp("video", VIDEO_PAYLOAD_TYPE,
                            new RtpMap(VIDEO_PAYLOAD_TYPE, "H264", VIDEO_CLOCK_RATE, 0),
                            MediaDescription.ordered("packetization-mode", "1",
                                    "profile-level-id", String.format("%02X%02X%02X", c.profileIdc(),
                                            c.profileCompatibility(), c.levelIdc()),
                                    "sprop-parameter-sets", sets), control);
                }
                case H265 -> {
                    HevcDecoderConfig c = HevcDecoderConfig.parse(config, 0, config.length);
                    if (c.vps().isEmpty() || c.sps().isEmpty() || c.pps().isEmpty()) {
                        throw new SdpException("HEVC configuration record without a VPS, an SPS and a PPS");
                    }
                    return MediaDescription.rtp("video", VIDEO_PAYLOAD_TYPE,
                            new RtpMap(VIDEO_PAYLOAD_TYPE, "H265", VIDEO_CLOCK_RATE, 0),
                            MediaDescription.ordered("sprop-vps", String.join(",", base64(c.vps())),
                                    "sprop-sps", String.join(",", base64(c.sps())),
                                    "sprop-pps", String.join(",", base64(c.pps()))), control);
                }
                case AAC -> {
                    AudioSpecificConfig c = AudioSpecificConfig.parse(config, 0, config.length);
                    return MediaDescription.rtp("audio", AUDIO_PAYLOAD_TYPE,
                            new RtpMap(AUDIO_PAYLOAD_TYPE, "MPEG4-GENERIC", c.sampleRate(), c.channelConfiguration()),
                            MediaDescription.ordered("streamtype", "5", "profile-level-id", "1", "mode", "AAC-hbr",
                                    "sizelength", "13", "indexlength", "3", "indexdeltalength", "3",
                                    "config", HexFormat.of().withUpperCase().formatHex(config)), control);
                }
                default -> throw new SdpException(codec + " is not carried over RTP");
            }
        } catch (BitstreamException e) {
            throw new SdpException(codec + " config: " + e.getMessage());
        }
    }

    /**
     * The description a player gets from DESCRIBE for a stream, built from its config frames (the latest of each track):
     * one media description per frame of a codec RTP carries, named {@code trackID=<track>}; frames of other codecs
     * (metadata) and frames that are not config frames are left out.
     */
    public static SessionDescription describeStream(String sessionName, String originAddress, List<MediaFrame> configFrames)
            throws SdpException {
        List<MediaDescription> media = new ArrayList<>();
        for (MediaFrame f : configFrames) {
            if (f.isConfig() && f.trackType() != TrackType.DATA) {
                media.add(describe(f.codec(), f.payload(), "trackID=" + f.track()));
            }
        }
        if (media.isEmpty()) {
            throw new SdpException("no audio or video configuration to describe");
        }
        return SessionDescription.live(sessionName, originAddress, media);
    }

    private static List<String> base64(List<byte[]> nals) {
        List<String> out = new ArrayList<>(nals.size());
        for (byte[] n : nals) {
            out.add(Base64.getEncoder().encodeToString(n));
        }
        return out;
    }

    private static List<byte[]> base64List(String value, String what) throws SdpException {
        String[] parts = value.split(",");
        if (parts.length > MAX_SETS) {
            throw new SdpException(what + " lists more than " + MAX_SETS + " NAL units");
        }
        List<byte[]> out = new ArrayList<>(parts.length);
        for (String part : parts) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue; // a trailing comma
            }
            byte[] nal;
            try {
                nal = Base64.getDecoder().decode(p);
            } catch (IllegalArgumentException e) {
                throw new SdpException(what + " is not base64: " + e.getMessage());
            }
            if (nal.length == 0) {
                throw new SdpException("empty NAL unit in " + what);
            }
            out.add(nal);
        }
        if (out.isEmpty()) {
            throw new SdpException(what + " holds no NAL unit");
        }
        return out;
    }

    private static byte[] hex(String value, String what) throws SdpException {
        if (value.length() % 2 != 0) {
            throw new SdpException(what + " has an odd number of hex digits");
        }
        try {
            return HexFormat.of().parseHex(value.toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new SdpException(what + " is not hex: " + e.getMessage());
        }
    }
}
