package io.cascade.protocol.ts;

import io.cascade.media.Codec;
import io.cascade.protocol.aac.AudioSpecificConfig;
import io.cascade.protocol.h264.AvcDecoderConfig;
import io.cascade.protocol.h264.BitstreamException;
import io.cascade.protocol.h265.HevcDecoderConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Writes one self-contained MPEG-TS segment (ISO/IEC 13818-1) for HLS from H.264 / H.265 and AAC access units.
 *
 * <p>The output depends on the arguments only (no clock, no counter kept between calls), byte for byte: several edge nodes
 * package the same stream and must serve identical segments even when they joined it at different times. So each segment
 * starts with a PAT and a PMT, continuity counters start at 0, and the first packet of every PID has
 * discontinuity_indicator = 1 to say that the counter restarts on purpose (see {@link TsPacketizer}).
 *
 * <p>Layout: PAT (program {@value #PROGRAM_NUMBER}, PMT on PID {@value #PMT_PID}), PMT, then one PES per video access unit
 * on {@value #VIDEO_PID} and one PES per run of a few AAC frames on {@value #AUDIO_PID}, in the order of the samples. The
 * PCR is on the video PID (the audio PID without video), in the first packet of each of its PES packets.
 */
public final class TsSegmentWriter {
    public static final int PAT_PID = 0x0000;
    public static final int PMT_PID = 0x1000;
    public static final int VIDEO_PID = 0x100;
    public static final int AUDIO_PID = 0x101;
    public static final int PROGRAM_NUMBER = 1;
    public static final int TRANSPORT_STREAM_ID = 1;
    /** stream_type values (Table 2-34): AVC video, HEVC video, AAC audio with ADTS transport syntax. */
    public static final int STREAM_TYPE_H264 = 0x1B;
    public static final int STREAM_TYPE_H265 = 0x24;
    public static final int STREAM_TYPE_AAC_ADTS = 0x0F;

    /** Most samples in one segment: 100,000 is over 20 minutes of 25 fps video with 48 kHz AAC, far beyond a segment. */
    public static final int MAX_SAMPLES = 100_000;
    /** Largest sample: an RTMP message, which carries one access unit, is at most 16 MiB. */
    public static final int MAX_SAMPLE_BYTES = 16 << 20;
    /** Largest decoder configuration: real records are under 1 KiB; this bounds what is repeated on every keyframe. */
    public static final int MAX_CONFIG_BYTES = 64 << 10;
    /** Largest segment written: 10 s at 200 Mbit/s is 250 MB. Bounds the memory one call can take whatever its input. */
    public static final int MAX_SEGMENT_BYTES = 256 << 20;
    /**
     * The PCR is the DTS of the access unit it arrives with minus this fixed 100 ms, so that the data of a frame is "in the
     * decoder" before its decode time (2.4.2 T-STD) without depending on bitrates or on earlier segments. See
     * pcr27 for the start of a stream.
     */
    public static final long PCR_DELAY_90K = 9_000;
    /**
     * An audio PES holds AAC frames spanning at most this (100 ms): without video the PCR rides on audio PES packets, and
     * 2.7.2 wants PCRs at most 100 ms apart.
     */
    public static final long MAX_AUDIO_PES_DURATION_90K = 9_000;

    private static final int CLOCK_90K = 90_000;

    private TsSegmentWriter() {
    }

    /**
     * The segment for samples, which are already in decode order (video and audio interleaved as they should be muxed).
     *
     * @throws IllegalArgumentException for an empty or too long sample list, a sample over {@value #MAX_SAMPLE_BYTES}
     *                                  bytes or empty, a sample of a track the config does not have, an unparseable or
     *                                  oversized decoder configuration, a video sample whose length prefixes are broken,
     *                                  AAC that ADTS cannot carry, or a segment that would exceed {@value #MAX_SEGMENT_BYTES}
     *                                  bytes
     */
    public static byte[] segment(TsTrackConfig tracks, List<TsSample> samples) {
        Objects.requireNonNull(tracks, "tracks");
        Objects.requireNonNull(samples, "samples");
        long inputBytes = checkSamples(tracks, samples);
        AnnexBConverter video = tracks.hasVideo() ? videoConverter(tracks.videoCodec(), tracks.videoConfig()) : null;
        AudioTrack audio = tracks.hasAudio() ? AudioTrack.of(tracks.audioConfig()) : null;

        // Enough for the payload, the 4-byte packet headers, and a stuffed packet and headers per sample: no regrowing.
        long estimate = inputBytes * TsPacketizer.PACKET_SIZE / 184 + (long) samples.size() * 256 + 2 * 188;
        TsPacketizer out = new TsPacketizer((int) Math.min(estimate, MAX_SEGMENT_BYTES), MAX_SEGMENT_BYTES);
        out.writeSection(PAT_PID, PsiSections.pat(TRANSPORT_STREAM_ID, PROGRAM_NUMBER, PMT_PID));
        int pcrPid = video != null ? VIDEO_PID : AUDIO_PID;
        out.writeSection(PMT_PID, PsiSections.pmt(PROGRAM_NUMBER, pcrPid, streams(tracks)));

        AudioRun run = audio == null ? null : new AudioRun(audio, out, pcrPid == AUDIO_PID);
        for (TsSample s : samples) {
            if (s.video()) {
                if (run != null) { // audio gathered so far goes out first: the TS keeps the order of the input
                    run.flushIfAny();
                }
                writeVideo(out, video, s);
            } else {
                run.add(s);
            }
        }
        if (run != null) {
            run.flushIfAny();
        }
        return out.toByteArray();
    }

    /** Checks every limit before any work is done; returns the total sample bytes. */
    private static long checkSamples(TsTrackConfig tracks, List<TsSample> samples) {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("no samples: a segment needs at least one");
        }
        if (samples.size() > MAX_SAMPLES) {
            throw new IllegalArgumentException(samples.size() + " samples, more than " + MAX_SAMPLES + " in one segment");
        }
        if (tracks.hasVideo() && tracks.videoConfig().length > MAX_CONFIG_BYTES
                || tracks.hasAudio() && tracks.audioConfig().length > MAX_CONFIG_BYTES) {
            throw new IllegalArgumentException("decoder configuration larger than " + MAX_CONFIG_BYTES + " bytes");
        }
        long total = 0;
        int i = 0;
        for (TsSample s : samples) { // not get(i): the list may be linked
            Objects.requireNonNull(s, "sample");
            int n = s.data().length;
            if (n > MAX_SAMPLE_BYTES) {
                throw new IllegalArgumentException("sample " + i + " has " + n + " bytes, more than " + MAX_SAMPLE_BYTES);
            }
            if (n == 0) {
                throw new IllegalArgumentException("sample " + i + " is empty");
            }
            if (s.video() ? !tracks.hasVideo() : !tracks.hasAudio()) {
                throw new IllegalArgumentException("sample " + i + " is " + (s.video() ? "video" : "audio")
                        + " but the segment has no such track");
            }
            total += n;
            i++;
        }
        if (total > MAX_SEGMENT_BYTES) {
            throw new IllegalArgumentException("samples total " + total + " bytes, more than " + MAX_SEGMENT_BYTES);
        }
        return total;
    }

    static AnnexBConverter videoConverter(Codec codec, byte[] config) {
        try {
            if (codec == Codec.H264) {
                AvcDecoderConfig c = AvcDecoderConfig.parse(config, 0, config.length);
                return new AnnexBConverter(codec, List.of(), c.sps(), c.pps());
            }
            HevcDecoderConfig c = HevcDecoderConfig.parse(config, 0, config.length);
            return new AnnexBConverter(codec, c.vps(), c.sps(), c.pps());
        } catch (BitstreamException | IllegalArgumentException e) {
            String what = codec == Codec.H264 ? "AVCDecoderConfigurationRecord" : "HEVCDecoderConfigurationRecord";
            throw new IllegalArgumentException("unparseable " + what + ": " + e.getMessage(), e);
        }
    }

    static List<PsiSections.Stream> streams(TsTrackConfig tracks) {
        List<PsiSections.Stream> streams = new ArrayList<>(2);
        if (tracks.hasVideo()) {
            int type = tracks.videoCodec() == Codec.H264 ? STREAM_TYPE_H264 : STREAM_TYPE_H265;
            streams.add(new PsiSections.Stream(type, VIDEO_PID));
        }
        if (tracks.hasAudio()) {
            streams.add(new PsiSections.Stream(STREAM_TYPE_AAC_ADTS, AUDIO_PID));
        }
        return streams;
    }

    static void writeVideo(TsPacketizer out, AnnexBConverter video, TsSample s) {
        byte[] annexB = video.convert(s.data(), s.keyframe());
        long pts = s.pts90k() & PesPacket.TIMESTAMP_MASK;
        long dts = s.dts90k() & PesPacket.TIMESTAMP_MASK;
        boolean withDts = dts != pts;
        byte[] header = new byte[PesPacket.headerSize(withDts)];
        // PES_packet_length 0: a video access unit may be longer than 64 KiB.
        PesPacket.writeHeader(header, PesPacket.STREAM_ID_VIDEO, pts, withDts ? dts : -1, -1);
        out.writePes(VIDEO_PID, header, annexB, pcr27(s.dts90k()), s.keyframe());
    }

    /**
     * PCR (27 MHz: 33-bit base * 300, extension 0) for a PES whose first access unit has this DTS: DTS - 100 ms, except in
     * the first 200 ms of a timeline that starts at 0 (every RTMP stream), where it is DTS / 2. DTS - 100 ms there would be
     * below 0 and wrap to 26.5 hours, which GStreamer reports as a wraparound; DTS / 2 instead stays at or above 0, keeps
     * rising, and meets DTS - 100 ms at 200 ms.
     */
    static long pcr27(long dts90k) {
        long base = dts90k >= 0 && dts90k < 2 * PCR_DELAY_90K ? dts90k / 2 : dts90k - PCR_DELAY_90K;
        return (base & PesPacket.TIMESTAMP_MASK) * 300;
    }

    /** The AAC track: its ADTS fields and frame duration. */
    record AudioTrack(AdtsHeader adts, AudioSpecificConfig asc) {
        static AudioTrack of(byte[] config) {
            AdtsHeader adts = AdtsHeader.fromAudioSpecificConfig(config);
            try {
                return new AudioTrack(adts, AudioSpecificConfig.parse(config, 0, config.length));
            } catch (BitstreamException e) {
                throw new IllegalArgumentException("unparseable AudioSpecificConfig: " + e.getMessage(), e);
            }
        }
    }

    /**
     * Consecutive AAC frames gathered into one PES: a few frames per PES save a PES header and a stuffed packet per frame.
     * Only the first frame's PTS is written; a decoder derives the others from the frame duration, so a run ends where the
     * timestamps stop following that duration (a gap or a jump), at {@link #MAX_AUDIO_PES_DURATION_90K}, at the bounded
     * PES_packet_length, and before every video sample.
     */
    static final class AudioRun {
        private final AudioTrack track;
        private final TsPacketizer out;
        private final boolean carriesPcr;
        private final long halfFrame90k;
        private final List<byte[]> frames = new ArrayList<>();
        private long firstPts;
        private int payloadBytes;

        AudioRun(AudioTrack track, TsPacketizer out, boolean carriesPcr) {
            this.track = track;
            this.out = out;
            this.carriesPcr = carriesPcr;
            this.halfFrame90k = track.asc().frameDuration(CLOCK_90K) / 2;
        }

        void add(TsSample s) {
            byte[] frame = s.data();
            if (frame.length > AdtsHeader.MAX_RAW_FRAME_LENGTH) {
                throw new IllegalArgumentException("AAC frame of " + frame.length + " bytes exceeds the ADTS frame_length");
            }
            if (!frames.isEmpty() && !fits(s.pts90k(), frame.length)) {
                flushIfAny();
            }
            if (frames.isEmpty()) {
                firstPts = s.pts90k();
            }
            frames.add(frame);
            payloadBytes += AdtsHeader.SIZE + frame.length;
        }

        private boolean fits(long pts, int length) {
            int n = frames.size();
            long expected = firstPts + track.asc().frameTimestamp(n, CLOCK_90K);
            boolean contiguous = Math.abs(signed33(pts - expected)) <= halfFrame90k;
            boolean shortEnough = track.asc().frameTimestamp(n + 1, CLOCK_90K) <= MAX_AUDIO_PES_DURATION_90K;
            boolean bounded = payloadBytes + AdtsHeader.SIZE + length <= PesPacket.maxBoundedPayload(false);
            return contiguous && shortEnough && bounded;
        }

        void flushIfAny() {
            if (frames.isEmpty()) {
                return;
            }
            byte[] payload = new byte[payloadBytes];
            int p = 0;
            for (byte[] f : frames) {
                track.adts().write(payload, p, f.length);
                System.arraycopy(f, 0, payload, p + AdtsHeader.SIZE, f.length);
                p += AdtsHeader.SIZE + f.length;
            }
            byte[] header = new byte[PesPacket.headerSize(false)];
            PesPacket.writeHeader(header, PesPacket.STREAM_ID_AUDIO, firstPts & PesPacket.TIMESTAMP_MASK, -1, payloadBytes);
            // Every AAC frame can be decoded on its own, so every audio PES is a random access point.
            out.writePes(AUDIO_PID, header, payload, carriesPcr ? pcr27(firstPts) : -1, true);
            frames.clear();
            payloadBytes = 0;
        }

        /** A difference of 33-bit timestamps as a signed value, so that a wrap between two frames is no jump. */
        private static long signed33(long d) {
            long m = d & PesPacket.TIMESTAMP_MASK;
            return m >= 1L << 32 ? m - (1L << 33) : m;
        }
    }
}
