package io.cascade.protocol.rtp.frames;

import io.cascade.media.Codec;
import io.cascade.media.MediaFrame;
import io.cascade.media.TrackType;
import io.cascade.protocol.h264.AvcDecoderConfig;
import io.cascade.protocol.h264.BitstreamException;
import io.cascade.protocol.h264.ParameterSetTracker;
import io.cascade.protocol.rtp.ReorderWindow;
import io.cascade.protocol.rtp.RtcpPacket;
import io.cascade.protocol.rtp.RtpException;
import io.cascade.protocol.rtp.RtpPacket;
import io.cascade.protocol.rtp.payload.AccessUnit;
import io.cascade.protocol.rtp.payload.Depacketizer;
import io.cascade.protocol.rtp.payload.Depacketizers;
import io.cascade.protocol.sdp.MediaDescription;
import io.cascade.protocol.sdp.RtpMap;
import io.cascade.protocol.sdp.SdpException;
import io.cascade.protocol.sdp.SdpFormats;
import io.cascade.protocol.sdp.SessionDescription;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Turns the RTP and RTCP packets of a publisher (an RTSP ANNOUNCE/RECORD session, or later a raw RTP pull) into
 * {@link MediaFrame}s with canonical payloads: the to-frames half of RTP ingest, beside
 * {@link io.cascade.protocol.rtp.frames.FramesToRtp}, with the track numbers and payloads of the MPEG-TS and RTMP ingest.
 *
 * <p>The tracks come from the SDP ({@link #tracksFromSdp}): the first usable video section (H.264 RFC 6184, H.265 RFC
 * 7798) becomes {@link #VIDEO_TRACK}, the first usable audio section (AAC as mpeg4-generic RFC 3640 or MP4A-LATM)
 * {@link #AUDIO_TRACK}.
 * <ul>
 * <li>Packets: over UDP ({@code reorder}) each track's packets go through a {@link ReorderWindow}, which also gives up
 * a gap after {@link #REORDER_MAX_MILLIS} of media time; over TCP they are taken in the order they come. The payload
 * format's depacketizer rebuilds access units and flags those after a loss.
 * <li>Video: the access unit's NAL units keep their 4-byte lengths; access unit delimiters, filler data and parameter sets
 * are taken out, the parameter sets into a decoder configuration frame (AVCDecoderConfigurationRecord /
 * HEVCDecoderConfigurationRecord, {@link ParameterSetTracker}, as MPEG-TS ingest does). The SDP's record (sprop
 * parameters) is the first configuration sent; in-band sets that differ send a new one. Nothing is sent before the first
 * configuration and keyframe (IDR for H.264, IRAP for H.265), nor after a loss or a damaged unit until the next keyframe.
 * <li>Audio: the SDP's AudioSpecificConfig first, then each AAC access unit as one raw frame.
 * <li>Time: {@link #TIMESCALE} 90 kHz for every track. Each track's 32-bit RTP timestamps are unwrapped to 64 bits, and
 * every frame's time is computed from the unwrapped time of its own unit (never by adding durations, so nothing drifts).
 * RTP timestamps are presentation times: the decode times of video with B-frames are derived as described at
 * {@link #MAX_REORDER_DEPTH}. Audio has dts = pts.
 * <li>Alignment: the tracks are placed on one timeline with the first RTCP sender report of each (its NTP / RTP pair puts
 * the track on the sender's wall clock), so that audio and video that were captured together come out together; the
 * earliest first frame of all is time 0. Frames are held until every track has had a report and a first frame, for at
 * most {@code rtcpWaitMillis} of media time on any track (and {@link #MAX_HELD_FRAMES} / {@link #MAX_HELD_BYTES}); past
 * that, or with {@code rtcpWaitMillis} 0, every track starts at 0 at its own first frame. Held frames are released in
 * dts order. Once fixed, the timeline is never adjusted again: later reports are only counted, so a sender's clock
 * jitter cannot make timestamps jump.
 * </ul>
 *
 * <p>The input is hostile: nothing escapes {@link #rtp}, {@link #rtcp} or {@link #flush} but what the {@link Sink}
 * itself throws, every limit is a named constant (here, in {@link ReorderWindow}, in {@link Depacketizer} and in
 * {@link ParameterSetTracker}), and whatever is dropped is counted in {@link #stats()} and reported to
 * {@link Sink#skipped}. Memory is bounded whatever the input: per track a reorder window of
 * {@link ReorderWindow#DEFAULT_CAPACITY} packets (copies, at most {@link RtpPacket#MAX_PACKET_LENGTH} each), one access
 * unit being rebuilt, {@link #MAX_REORDER_DEPTH} video frames waiting for their decode time, and the frames held for
 * alignment. Not thread-safe: one instance per publisher, fed from one thread.
 */
public final class RtpToFrames {
    public static final int VIDEO_TRACK = 0;
    public static final int AUDIO_TRACK = 1;
    public static final int TIMESCALE = 90_000;
    /**
     * Video frames held, in decode order, before their decode time is fixed; also the deepest reordering handled.
     *
     * <p>RTP carries only presentation times. A frame's decode time is taken as a presentation time of the stream: the
     * frames' presentation times, sorted, shifted back by the stream's reorder depth N (the most frames that precede one
     * in decode order and follow it in presentation order, as an encoder's max_num_reorder_frames counts them). The i-th
     * frame sent gets the (i - N)-th smallest presentation time seen, which is the same over the whole stream once the
     * frames up to i + N have been seen: holding this many frames is what makes it so. The result is monotonic, never after
     * the frame's own presentation time, and equal to it when nothing is reordered. N is measured on the stream (not read
     * from the SPS VUI, which encoders may omit), so holding has to come first: a stream whose first B-frames come late
     * would otherwise be sent with the wrong decode times. The first N frames, which have no earlier time to take, share
     * the first presentation time. libx264 (3 B-frames with b-pyramid by default) and libx265 (4 with b-pyramid) reorder
     * by at most 2; 4 leaves room for deeper pyramids and costs 4 frames of latency (160 ms at 25 fps). A frame reordered
     * deeper cannot get a decode time before its presentation and is dropped as damaged (counted).
     *
     * <p>The other way, computing picture order counts from slice headers, would need the SPS and PPS fields that every
     * slice header depends on, and would still not give time, only order.
     */
    public static final int MAX_REORDER_DEPTH = 4;
    /**
     * Frames held at most while waiting for the sender reports (all tracks): past it, the tracks start without them. Ten
     * seconds of 60 fps video and 48 kHz AAC is about 1100.
     */
    public static final int MAX_HELD_FRAMES = 2048;
    /** Payload bytes held at most while waiting for the sender reports: ten seconds at about 13 Mbit/s. */
    public static final int MAX_HELD_BYTES = 16 << 20;
    /**
     * Reordering over UDP: a gap is given up when packets held behind it span this much media time, so a loss stalls a
     * slow stream (audio sends a few packets a second) no longer than a fast one. Reordering on a real network spans a few
     * milliseconds.
     */
    public static final int REORDER_MAX_MILLIS = 200;
    /**
     * Units further than this from a track's first unit, in its clock's units, are dropped as damaged: no publish lasts
     * that long (6 years at 90 kHz), and it keeps every conversion to 90 kHz within a long.
     */
    public static final long MAX_MEDIA_TICKS = 1L << 44;
    /**
     * Sender reports that put the first frames of the tracks further apart than this are not believed (a sender with a
     * broken clock on one track): the tracks then start at 0 each.
     */
    public static final int MAX_SENDER_REPORT_SPREAD_MILLIS = 10_000;
    /** Earlier frames compared with a new one to measure how far it is reordered. */
    private static final int RECENT_FRAMES = 4 * MAX_REORDER_DEPTH;

    /** Why something was dropped. */
    public enum Skip { DAMAGED, UNSUPPORTED }

    /** What the converter hands out, on the caller's thread, during rtp(), rtcp() and flush(). */
    public interface Sink {
        void frame(MediaFrame frame);

        /** Something was dropped. The rate of calls may be high: the caller rate-limits its log. */
        void skipped(Skip why, String detail);
    }

    /**
     * One media section of an ANNOUNCE: which of our tracks it feeds and how its packets are read.
     *
     * @param track        {@link #VIDEO_TRACK} or {@link #AUDIO_TRACK}
     * @param payloadType  the RTP payload type of its packets; packets of other types are dropped (counted)
     * @param clockRate    the RTP clock rate of its timestamps
     * @param config       the AVC or HEVC decoder configuration record or the AudioSpecificConfig the SDP gives, or null
     *                     when it gives none (video: the parameter sets then come in band; AAC always has one)
     * @param depacketizer the payload format's reader; owned by the converter from then on
     */
    public record Track(int track, Codec codec, int payloadType, int clockRate, byte[] config, Depacketizer depacketizer) {
        public Track {
            if (codec == null || depacketizer == null) {
                throw new NullPointerException("codec and depacketizer");
            }
            boolean video = codec.trackType() == TrackType.VIDEO;
            if (track != (video ? VIDEO_TRACK : AUDIO_TRACK) || codec.trackType() == TrackType.DATA) {
                throw new IllegalArgumentException(codec + " cannot be track " + track);
            }
            if (payloadType < 0 || payloadType > 127 || clockRate <= 0) {
                throw new IllegalArgumentException("payload type " + payloadType + ", clock rate " + clockRate);
            }
            if (codec == Codec.AAC && config == null) {
                throw new IllegalArgumentException("AAC without an AudioSpecificConfig");
            }
        }

        /**
         * From an SDP media section: H264 (RFC 6184, packetization modes 0 and 1), H265 (RFC 7798, without DONL),
         * mpeg4-generic AAC-hbr/lbr (RFC 3640) or MP4A-LATM with cpresent=0.
         *
         * @param track {@link #VIDEO_TRACK} for a video codec, {@link #AUDIO_TRACK} for AAC
         * @throws SdpException with a sentence saying why, for any other format or mode, or unusable parameters
         */
        public static Track fromSdp(MediaDescription media, int track) throws SdpException {
            int pt = media.payloadType();
            if (pt < 0) {
                throw new SdpException(media.media() + " section without an RTP payload type");
            }
            RtpMap map = media.rtpMap(pt);
            if (map == null) {
                throw new SdpException(media.media() + " payload type " + pt
                        + " has no rtpmap: only H264, H265, MPEG4-GENERIC and MP4A-LATM are carried");
            }
            Codec codec = Depacketizers.codec(map.encodingName());
            if (codec == null) {
                throw new SdpException(media.media() + " in " + map.encodingName()
                        + " is not carried: only H264, H265, MPEG4-GENERIC and MP4A-LATM are");
            }
            int expected = codec.trackType() == TrackType.VIDEO ? VIDEO_TRACK : AUDIO_TRACK;
            if (track != expected) {
                throw new SdpException(map.encodingName() + " cannot feed track " + track);
            }
            Map<String, String> fmtp = media.fmtp(pt);
            Depacketizer depacketizer;
            try {
                depacketizer = Depacketizers.create(map.encodingName(), fmtp);
            } catch (RtpException e) {
                throw new SdpException(e.getMessage());
            }
            byte[] config;
            switch (codec) {
                case H264 -> {
                    AvcDecoderConfig c = SdpFormats.h264Config(fmtp);
                    config = c == null ? null : c.encode();
                }
                case H265 -> config = SdpFormats.h265Config(fmtp);
                default -> config = SdpFormats.aacConfig(map.encodingName(), fmtp);
            }
            if (config != null && codec != Codec.AAC) {
                try {
                    new ParameterSetTracker(codec == Codec.H265).seed(config); // the record must read back
                } catch (BitstreamException e) {
                    throw new SdpException(map.encodingName() + " parameter sets: " + e.getMessage());
                }
            }
            return new Track(track, codec, pt, map.clockRate(), config, depacketizer);
        }
    }

    /**
     * One media section of an announced session and what became of it.
     *
     * @param mediaIndex  the section's index among the SDP's media descriptions (SETUP names sections by their control
     *                    URLs)
     * @param track       the track it feeds, or null when it is not carried
     * @param unsupported why it is not carried (for the caller's log), or null when it is
     */
    public record AnnouncedTrack(int mediaIndex, Track track, String unsupported) {
        public boolean supported() {
            return track != null;
        }
    }

    /**
     * The tracks an ANNOUNCE publishes, one entry per media section in order: the first usable video section feeds
     * {@link #VIDEO_TRACK} and the first usable audio section {@link #AUDIO_TRACK}; every other section is returned with
     * the reason it is not carried (the caller logs it and discards its packets).
     *
     * @throws SdpException when no section is usable, with the reasons
     */
    public static List<AnnouncedTrack> tracksFromSdp(SessionDescription sdp) throws SdpException {
        List<AnnouncedTrack> out = new ArrayList<>(sdp.media().size());
        boolean video = false;
        boolean audio = false;
        List<String> reasons = new ArrayList<>();
        for (int i = 0; i < sdp.media().size(); i++) {
            MediaDescription m = sdp.media().get(i);
            String kind = m.media();
            String why;
            if (kind.equals("video") || kind.equals("audio")) {
                boolean isVideo = kind.equals("video");
                if (isVideo ? video : audio) {
                    why = "a second " + kind + " section is not carried";
                } else {
                    try {
                        Track t = Track.fromSdp(m, isVideo ? VIDEO_TRACK : AUDIO_TRACK);
                        out.add(new AnnouncedTrack(i, t, null));
                        if (isVideo) {
                            video = true;
                        } else {
                            audio = true;
                        }
                        continue;
                    } catch (SdpException e) {
                        why = e.getMessage();
                    }
                }
            } else {
                why = kind + " sections are not carried";
            }
            String reason = "media section " + i + " (" + kind + "): " + why;
            reasons.add(reason);
            out.add(new AnnouncedTrack(i, null, reason));
        }
        if (!video && !audio) {
            throw new SdpException("no usable audio or video in the description"
                    + (reasons.isEmpty() ? "" : ": " + String.join("; ", reasons)));
        }
        return List.copyOf(out);
    }

    /**
     * Counters since construction, for export.
     *
     * @param packets               RTP packets taken (of every track, before reordering)
     * @param bytes                 bytes of the RTP packets taken
     * @param malformedPackets      RTP packets that do not parse, and slices outside their array
     * @param ignoredPackets        well-formed RTP packets of another payload type, or after {@link #flush()}
     * @param badTracks             packets and reports given a track number that is not one of the tracks
     * @param lost                  packets that never came (gaps in the sequence numbers)
     * @param late                  packets that came after their place was given up or released (UDP), or with an earlier
     *                              sequence number than the one before (TCP)
     * @param duplicates            repeats of packets still held for reordering
     * @param malformedPayloads     packets the payload format refused (the unit they belonged to is lost)
     * @param damagedUnits          access units dropped because a piece was missing or they were malformed
     * @param droppedBeforeKeyframe video units dropped while waiting for a keyframe or a configuration
     * @param untimedFrames         frames dropped because no timestamp could be given to them (reordered deeper than
     *                              {@link #MAX_REORDER_DEPTH}, or further than {@link #MAX_MEDIA_TICKS})
     * @param videoFrames           video frames sent
     * @param audioFrames           audio frames sent
     * @param configFrames          configuration frames sent
     * @param rtcpPackets           compound RTCP packets read
     * @param malformedRtcp         compound RTCP packets that do not parse
     * @param senderReports         sender reports read (only the first of each track is used)
     * @param alignedByReports      the tracks were placed on one timeline with sender reports
     * @param internalErrors        bugs caught (the state was reset): should stay 0
     */
    public record Stats(long packets, long bytes, long malformedPackets, long ignoredPackets, long badTracks, long lost,
                        long late, long duplicates, long malformedPayloads, long damagedUnits, long droppedBeforeKeyframe,
                        long untimedFrames, long videoFrames, long audioFrames, long configFrames, long rtcpPackets,
                        long malformedRtcp, long senderReports, boolean alignedByReports, long internalErrors) {
    }

    private final Sink sink;
    private final long rtcpWaitMillis;
    private final State[] byNumber = new State[2];
    private final List<State> states;
    private long sequence;
    private boolean aligned;
    private boolean alignedByReports;
    private long originEpochMillis = -1;
    private boolean finished;
    private int heldFrames;
    private long heldBytes;

    private long packets;
    private long bytes;
    private long malformedPackets;
    private long ignoredPackets;
    private long badTracks;
    private long tcpLost;
    private long tcpLate;
    private long malformedPayloads;
    private long damagedUnits;
    private long droppedBeforeKeyframe;
    private long untimedFrames;
    private long videoFrames;
    private long audioFrames;
    private long configFrames;
    private long rtcpPackets;
    private long malformedRtcp;
    private long senderReports;
    private long internalErrors;

    /**
     * @param tracks         the tracks of the session, at most one per track number
     * @param reorder        true for UDP: each track's packets go through a {@link ReorderWindow}; false for TCP
     *                       interleaved, where they cannot be reordered
     * @param rtcpWaitMillis how long to hold frames waiting for every track's first RTCP sender report before starting
     *                       without them, measured on the tracks' RTP clocks (the media time since each track's first
     *                       access unit, so it is deterministic); 0 never waits
     */
    public RtpToFrames(List<Track> tracks, boolean reorder, long rtcpWaitMillis, Sink sink) {
        if (sink == null) {
            throw new NullPointerException("sink");
        }
        if (tracks.isEmpty() || rtcpWaitMillis < 0) {
            throw new IllegalArgumentException("no track, or a negative wait");
        }
        List<State> list = new ArrayList<>(2);
        for (Track t : tracks) {
            if (byNumber[t.track()] != null) {
                throw new IllegalArgumentException("two tracks numbered " + t.track());
            }
            State s = new State(t, reorder);
            byNumber[t.track()] = s;
        }
        for (State s : byNumber) {
            if (s != null) {
                list.add(s); // video first: the order of ties when held frames are released
            }
        }
        this.states = List.copyOf(list);
        this.sink = sink;
        this.rtcpWaitMillis = rtcpWaitMillis;
    }

    /**
     * One RTP packet of a track: data[offset, offset + length) is the whole packet (a UDP datagram, or an interleaved
     * frame's body). The bytes are not kept after the call. Frames and skips go to the sink before it returns. A malformed
     * packet, a bad track number or a bad slice is counted and dropped: nothing is thrown but what the sink throws.
     */
    public void rtp(int track, byte[] data, int offset, int length) {
        State s = state(track);
        if (s == null) {
            return;
        }
        if (data == null || offset < 0 || length < 0 || offset > data.length - length) {
            malformedPackets++;
            return;
        }
        if (finished) {
            ignoredPackets++;
            return;
        }
        guarded(() -> s.packet(data, offset, length));
    }

    /**
     * One compound RTCP packet of a track (from its RTCP port or interleaved channel). The first sender report of each
     * track places it on the sender's wall clock; malformed packets are counted and dropped.
     */
    public void rtcp(int track, byte[] data, int offset, int length) {
        State s = state(track);
        if (s == null) {
            return;
        }
        guarded(() -> {
            List<RtcpPacket> compound;
            try {
                compound = RtcpPacket.parseCompound(data, offset, length);
            } catch (RtpException e) {
                malformedRtcp++;
                skip(Skip.DAMAGED, "track " + track + ": RTCP dropped: " + e.getMessage());
                return;
            }
            rtcpPackets++;
            for (RtcpPacket p : compound) {
                if (p instanceof RtcpPacket.SenderReport sr) {
                    senderReports++;
                    if (!aligned && !s.haveReport && (s.ssrc < 0 || s.ssrc == sr.ssrc())) {
                        s.haveReport = true;
                        s.reportNtp = sr.ntpTimestamp();
                        s.reportRtp = sr.rtpTimestamp();
                    }
                }
            }
            if (!finished) {
                checkAlignment();
            }
        });
    }

    /**
     * End of the publish: the packets held for reordering are taken (the gaps before them counted lost), the units and
     * frames that are complete are sent, and the frames held for alignment are released. A unit whose last packet never
     * came is dropped. Later packets are ignored (counted in {@link Stats#ignoredPackets()}).
     */
    public void flush() {
        if (finished) {
            return;
        }
        guarded(() -> {
            for (State s : states) {
                s.flush();
            }
            if (!aligned) {
                align(allReportsAndFrames());
            }
        });
        finished = true;
    }

    /** Gaps, malformed packets and reports, refused payloads and bad track numbers so far, without building stats. */
    public long inputErrors() {
        long lost = tcpLost;
        for (State s : states) {
            if (s.window != null) {
                lost += s.window.lost();
            }
        }
        return lost + malformedPackets + malformedRtcp + malformedPayloads + badTracks;
    }

    public Stats stats() {
        long lost = tcpLost;
        long late = tcpLate;
        long duplicates = 0;
        long damaged = damagedUnits;
        for (State s : states) {
            if (s.window != null) {
                lost += s.window.lost();
                late += s.window.late();
                duplicates += s.window.duplicates();
            }
            damaged += s.depacketizer.damaged();
        }
        return new Stats(packets, bytes, malformedPackets, ignoredPackets, badTracks, lost, late, duplicates,
                malformedPayloads, damaged, droppedBeforeKeyframe, untimedFrames, videoFrames, audioFrames, configFrames,
                rtcpPackets, malformedRtcp, senderReports, alignedByReports, internalErrors);
    }

    /**
     * The wall clock (Unix epoch milliseconds, from the sender's NTP time) at time 0 when the tracks were aligned with
     * sender reports, or -1.
     */
    public long originEpochMillis() {
        return originEpochMillis;
    }

    private State state(int track) {
        State s = track >= 0 && track < byNumber.length ? byNumber[track] : null;
        if (s == null) {
            badTracks++;
        }
        return s;
    }

    /** Runs work; a bug of ours is counted and the state reset, an exception of the sink passes through. */
    private void guarded(Runnable work) {
        try {
            work.run();
        } catch (SinkFailure e) {
            throw e.failure;
        } catch (RuntimeException e) {
            internalErrors++;
            for (State s : states) {
                s.reset();
            }
            sink.skipped(Skip.DAMAGED, "internal error, state reset: " + e);
        }
    }

    /** Carries an exception of the sink through our own catch. */
    private static final class SinkFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient RuntimeException failure;

        SinkFailure(RuntimeException failure) {
            super(null, null, false, false);
            this.failure = failure;
        }
    }

    private void skip(Skip why, String detail) {
        try {
            sink.skipped(why, detail);
        } catch (RuntimeException e) {
            throw new SinkFailure(e);
        }
    }

    private void emit(State s, Item item) {
        long dts = s.map(item.dts);
        long pts = s.map(item.pts);
        MediaFrame f = new MediaFrame(s.track.track(), s.track.codec(), dts, pts, TIMESCALE, item.flags, 0, sequence++,
                item.payload);
        if ((item.flags & MediaFrame.FLAG_CONFIG) != 0) {
            configFrames++;
        } else if (s.video) {
            videoFrames++;
        } else {
            audioFrames++;
        }
        try {
            sink.frame(f);
        } catch (RuntimeException e) {
            throw new SinkFailure(e);
        }
    }

    // ---- alignment

    private boolean allReportsAndFrames() {
        for (State s : states) {
            if (!s.haveReport || !s.haveFirst) {
                return false;
            }
        }
        return true;
    }

    /** Fixes the timeline when the reports are in, or the wait is over. */
    private void checkAlignment() {
        if (aligned) {
            return;
        }
        if (rtcpWaitMillis == 0) {
            align(false);
            return;
        }
        if (allReportsAndFrames()) {
            align(true);
            return;
        }
        for (State s : states) {
            if (s.mediaMillis() >= rtcpWaitMillis) {
                align(false); // not a loss: stats().alignedByReports() tells
                return;
            }
        }
    }

    /** Fixes each track's origin and offset, then releases what was held in dts order. */
    private void align(boolean byReports) {
        aligned = true;
        if (byReports) {
            // The wall time of each track's first frame, in 90 kHz units after the first track's report.
            long refNtp = states.get(0).reportNtp;
            long[] wall = new long[states.size()];
            long min = Long.MAX_VALUE;
            long max = Long.MIN_VALUE;
            for (int i = 0; i < wall.length; i++) {
                State s = states.get(i);
                long first = s.firstDts;
                long reportRtp = first + (int) (s.reportRtp - (first & 0xFFFFFFFFL)); // unwrapped next to the frame
                wall[i] = ntpTo90k(s.reportNtp - refNtp) + Math.floorDiv((first - reportRtp) * TIMESCALE, s.clockRate);
                min = Math.min(min, wall[i]);
                max = Math.max(max, wall[i]);
            }
            if (max - min > (long) MAX_SENDER_REPORT_SPREAD_MILLIS * (TIMESCALE / 1000)) {
                skip(Skip.DAMAGED, "sender reports put the tracks " + (max - min) / (TIMESCALE / 1000)
                        + " ms apart: not believed, each track starts at 0 at its first frame");
                byReports = false;
            } else {
                for (int i = 0; i < wall.length; i++) {
                    State s = states.get(i);
                    s.origin = s.firstDts;
                    s.offset = wall[i] - min;
                    s.originFixed = true;
                }
                alignedByReports = true;
                originEpochMillis = RtcpPacket.epochMillisFromNtp(refNtp) + Math.floorDiv(min, TIMESCALE / 1000);
            }
        }
        if (!byReports) {
            for (State s : states) {
                if (s.haveFirst) {
                    s.origin = s.firstDts;
                    s.offset = 0;
                    s.originFixed = true;
                }
            }
        }
        // Held frames in dts order across the tracks; each track's own are in dts order already, ties go to video.
        while (true) {
            State next = null;
            long best = Long.MAX_VALUE;
            for (State s : states) {
                Item head = s.held.peekFirst();
                if (head != null) {
                    long dts = s.map(head.dts);
                    if (next == null || dts < best) {
                        next = s;
                        best = dts;
                    }
                }
            }
            if (next == null) {
                break;
            }
            Item item = next.held.pollFirst();
            heldFrames--;
            heldBytes -= item.payload.length;
            emit(next, item);
        }
    }

    /** A 64-bit NTP time difference (32.32 fixed point seconds) in 90 kHz units, rounded down. */
    static long ntpTo90k(long ntpDelta) {
        return (ntpDelta >> 32) * TIMESCALE + (((ntpDelta & 0xFFFFFFFFL) * TIMESCALE) >>> 32);
    }

    /** A frame, or a configuration, in a track's own clock units (its unwrapped RTP time). */
    private record Item(int flags, long dts, long pts, byte[] payload) {
        boolean config() {
            return (flags & MediaFrame.FLAG_CONFIG) != 0;
        }
    }

    // ---- one track

    private final class State {
        final Track track;
        final boolean video;
        final int clockRate;
        final Depacketizer depacketizer;
        /** UDP only: packets (copies) back in sequence-number order. */
        final ReorderWindow<RtpPacket> window;
        /** RTP time of the first packet held behind a gap, or -1. */
        long holdStart = -1;
        long ssrc = -1;
        /** TCP only: the sequence number expected next, or -1 before the first packet. */
        int expectedSequence = -1;

        // time: unwrapped RTP time of units, in the track's clock
        boolean haveUnit;
        long firstUnit;
        long lastUnit;
        long maxUnit;

        // video
        final ParameterSetTracker parameterSets;
        boolean needKeyframe = true;
        /** Frames and configurations in decode order, waiting for their decode time. */
        final ArrayDeque<Item> decodeOrder = new ArrayDeque<>();
        int framesWaiting;
        /** Presentation times seen and not yet taken as a decode time. */
        final PriorityQueue<Long> presentation = new PriorityQueue<>();
        final long[] recent = new long[RECENT_FRAMES];
        int recentCount;
        int reorderDepth;
        long framesReleased;
        long taken;
        /** The last decode time given (audio: the last frame's time), in track units. */
        long lastDts = Long.MIN_VALUE;

        // audio
        boolean configSent;

        // alignment
        boolean haveReport;
        long reportNtp;
        long reportRtp;
        boolean haveFirst;
        long firstDts;
        boolean originFixed;
        long origin;
        long offset;
        final ArrayDeque<Item> held = new ArrayDeque<>();

        State(Track track, boolean reorder) {
            this.track = track;
            this.video = track.codec().trackType() == TrackType.VIDEO;
            this.clockRate = track.clockRate();
            this.depacketizer = track.depacketizer();
            this.window = reorder ? new ReorderWindow<>() : null;
            this.parameterSets = video ? new ParameterSetTracker(track.codec() == Codec.H265) : null;
            if (video && track.config() != null) {
                try {
                    parameterSets.seed(track.config());
                } catch (BitstreamException e) {
                    throw new IllegalArgumentException("unreadable configuration record: " + e.getMessage());
                }
            }
        }

        /** After a bug of ours: start again from the next keyframe, forgetting what waits. */
        void reset() {
            needKeyframe = true;
            decodeOrder.clear();
            framesWaiting = 0;
        }

        /** Media time since the track's first unit, in milliseconds. */
        long mediaMillis() {
            return haveUnit ? (maxUnit - firstUnit) * 1000 / clockRate : 0;
        }

        /** A track time in 90 kHz on the common timeline (the origin is fixed before anything is emitted). */
        long map(long t) {
            long d = t - origin;
            return offset + (clockRate == TIMESCALE ? d : Math.floorDiv(d * TIMESCALE, clockRate));
        }

        void packet(byte[] data, int offset, int length) {
            RtpPacket p;
            try {
                p = RtpPacket.parse(window != null ? Arrays.copyOfRange(data, offset, offset + length) : data,
                        window != null ? 0 : offset, length);
            } catch (RtpException e) {
                malformedPackets++;
                skip(Skip.DAMAGED, "track " + track.track() + ": RTP packet dropped: " + e.getMessage());
                return;
            }
            if (p.payloadType() != track.payloadType()) {
                ignoredPackets++;
                skip(Skip.UNSUPPORTED, "track " + track.track() + ": packet of payload type " + p.payloadType()
                        + " ignored (the SDP announced " + track.payloadType() + ")");
                return;
            }
            packets++;
            bytes += length;
            if (ssrc < 0) {
                ssrc = p.ssrc();
            }
            if (window == null) {
                if (expectedSequence >= 0 && p.sequence() != expectedSequence) {
                    int ahead = (p.sequence() - expectedSequence) & 0xFFFF;
                    if (ahead < 0x8000) {
                        tcpLost += ahead;
                    } else {
                        tcpLate++;
                    }
                }
                expectedSequence = (p.sequence() + 1) & 0xFFFF;
                depacketize(p);
            } else {
                for (RtpPacket q : window.push(p.sequence(), p)) {
                    depacketize(q);
                }
                if (window.held() == 0) {
                    holdStart = -1;
                } else if (holdStart < 0) {
                    holdStart = p.timestamp();
                } else {
                    long span = (p.timestamp() - holdStart) & 0xFFFFFFFFL;
                    if (span < 1L << 31 && span > (long) REORDER_MAX_MILLIS * clockRate / 1000) {
                        holdStart = -1;
                        for (RtpPacket q : window.flush()) {
                            depacketize(q); // the gap is given up: the depacketizer sees it and drops its unit
                        }
                    }
                }
            }
            checkAlignment();
        }

        void depacketize(RtpPacket p) {
            try {
                depacketizer.push(p, this::unit);
            } catch (RtpException e) {
                malformedPayloads++;
                skip(Skip.DAMAGED, "track " + track.track() + ": " + e.getMessage());
            }
        }

        void flush() {
            if (window != null) {
                for (RtpPacket q : window.flush()) {
                    depacketize(q);
                }
            }
            depacketizer.flush(this::unit);
            drain();
        }

        /** An access unit from the depacketizer. */
        void unit(AccessUnit au) {
            long t;
            if (!haveUnit) {
                haveUnit = true;
                t = au.timestamp();
                firstUnit = t;
                maxUnit = t;
            } else {
                t = lastUnit + (int) (au.timestamp() - (lastUnit & 0xFFFFFFFFL)); // within 2^31 of the last unit
                if (Math.abs(t - firstUnit) > MAX_MEDIA_TICKS) {
                    untimedFrames++;
                    needKeyframe = true;
                    skip(Skip.DAMAGED, "track " + track.track() + ": unit timestamp beyond " + MAX_MEDIA_TICKS
                            + " ticks of the first: dropped");
                    return;
                }
                maxUnit = Math.max(maxUnit, t);
            }
            lastUnit = t;
            if (video) {
                videoUnit(au, t);
            } else {
                if (au.discontinuity() && configSent) {
                    skip(Skip.DAMAGED, "audio: packets lost before this frame");
                }
                if (t < lastDts) {
                    // a unit timed before the one sent last: a sender that went back in time, or a stray packet
                    untimedFrames++;
                    skip(Skip.DAMAGED, "audio frame timed before the previous one dropped");
                    return;
                }
                lastDts = t;
                if (!configSent) {
                    configSent = true;
                    ready(new Item(MediaFrame.FLAG_CONFIG, t, t, track.config().clone()));
                }
                ready(new Item(0, t, t, au.data()));
            }
        }

        private void videoUnit(AccessUnit au, long t) {
            if (au.discontinuity() && parameterSets.configured()) {
                needKeyframe = true;
                drain(); // the frames before the loss are whole: no need to keep them until the next keyframe
                skip(Skip.DAMAGED, "video: packets lost or a unit damaged; waiting for a keyframe");
            }
            ParameterSetTracker.Unit u;
            try {
                u = parameterSets.convertLengthPrefixed(au.data());
            } catch (BitstreamException e) {
                damagedUnits++;
                needKeyframe = true;
                drain();
                skip(Skip.DAMAGED, "video access unit dropped: " + e.getMessage() + "; waiting for a keyframe");
                return;
            }
            if (u.config() != null) {
                Item last = decodeOrder.peekLast();
                if (last != null && last.config()) {
                    // no frame uses the one before: replaced, so units of parameter sets alone pile up nothing
                    decodeOrder.pollLast();
                }
                decodeOrder.addLast(new Item(MediaFrame.FLAG_CONFIG, t, t, u.config()));
            }
            if (needKeyframe) {
                if (!u.keyframe() || !parameterSets.configured()) {
                    droppedBeforeKeyframe++;
                    return;
                }
                needKeyframe = false;
                restartDecodeTimes();
            }
            if (u.payload() == null) {
                return; // parameter sets and delimiters only
            }
            if (t < lastDts) {
                // its presentation would come before the decode time already given to an earlier frame
                untimedFrames++;
                needKeyframe = true;
                skip(Skip.DAMAGED, "video frame reordered deeper than " + MAX_REORDER_DEPTH
                        + " frames dropped; waiting for a keyframe");
                return;
            }
            int displaced = 0;
            for (int i = 0; i < recentCount; i++) {
                if (recent[i] > t) {
                    displaced++;
                }
            }
            reorderDepth = Math.max(reorderDepth, Math.min(displaced, MAX_REORDER_DEPTH));
            if (recentCount < RECENT_FRAMES) {
                recent[recentCount++] = t;
            } else {
                System.arraycopy(recent, 1, recent, 0, RECENT_FRAMES - 1);
                recent[RECENT_FRAMES - 1] = t;
            }
            presentation.add(t);
            decodeOrder.addLast(new Item(u.keyframe() ? MediaFrame.FLAG_KEYFRAME : 0, t, t, u.payload()));
            framesWaiting++;
            while (framesWaiting > MAX_REORDER_DEPTH) {
                release();
            }
        }

        /** Hands on every frame waiting for its decode time, as far as the frames seen tell it. */
        private void drain() {
            while (!decodeOrder.isEmpty()) {
                release();
            }
        }

        /**
         * Starts counting ranks again at a keyframe that follows dropped frames: the frames dropped are missing from the
         * sorted presentation times, and without a restart every later decode time would lag by as many frames. The
         * depth measured so far stays (it is the encoder's), and decode times stay monotonic (lastDts is kept).
         */
        private void restartDecodeTimes() {
            drain();
            presentation.clear();
            taken = 0;
            framesReleased = 0;
            recentCount = 0;
        }

        /** Hands on the oldest frame in decode order, with the configurations before it, at its decode time. */
        private void release() {
            ArrayList<Item> configs = new ArrayList<>(1);
            Item frame = null;
            while (!decodeOrder.isEmpty()) {
                Item i = decodeOrder.pollFirst();
                if (i.config()) {
                    configs.add(i);
                } else {
                    frame = i;
                    break;
                }
            }
            long dts;
            if (frame != null) {
                framesWaiting--;
                long rank = framesReleased - reorderDepth;
                framesReleased++;
                Long smallest = presentation.peek();
                long candidate = smallest == null ? frame.pts : smallest;
                while (taken <= rank && !presentation.isEmpty()) {
                    candidate = presentation.poll();
                    taken++;
                }
                dts = Math.max(lastDts, candidate);
                if (dts > frame.pts) {
                    untimedFrames++;
                    needKeyframe = true;
                    skip(Skip.DAMAGED, "video frame reordered deeper than " + MAX_REORDER_DEPTH
                            + " frames dropped; waiting for a keyframe");
                    frame = null;
                }
                lastDts = dts;
            } else {
                // configurations with no frame after them yet (a flush, a loss): at the last decode time, or their own
                // unit's time before any, which later frames may then not precede
                dts = lastDts == Long.MIN_VALUE ? configs.get(configs.size() - 1).pts : lastDts;
                lastDts = dts;
            }
            for (Item c : configs) {
                ready(new Item(c.flags, dts, dts, c.payload));
            }
            if (frame != null) {
                ready(new Item(frame.flags, dts, frame.pts, frame.payload));
            }
        }

        /** A frame with its track times: sent, or held until the timeline is fixed. */
        void ready(Item item) {
            if (!haveFirst) {
                haveFirst = true;
                firstDts = item.dts;
            }
            if (aligned) {
                if (!originFixed) {
                    origin = firstDts; // aligned without this track: it starts at 0 at its first frame
                    offset = 0;
                    originFixed = true;
                }
                emit(this, item);
                return;
            }
            held.addLast(item);
            heldFrames++;
            heldBytes += item.payload.length;
            if (heldFrames > MAX_HELD_FRAMES || heldBytes > MAX_HELD_BYTES) {
                align(false);
            }
        }
    }
}
