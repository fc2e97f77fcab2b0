package io.cascade.protocol.ts.frames;

import io.cascade.media.Codec;
import io.cascade.media.MediaFrame;
import io.cascade.protocol.aac.AudioSpecificConfig;
import io.cascade.protocol.h264.BitstreamException;
import io.cascade.protocol.h264.ParameterSetTracker;
import io.cascade.protocol.ts.TsDemuxer;
import io.cascade.protocol.ts.TsSegmentWriter;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns an MPEG transport stream, as it arrives from a socket, into {@link MediaFrame}s with canonical payloads: the
 * MPEG-TS half of ingest, beside {@link io.cascade.protocol.rtmp.frames.RtmpToFrames}, with the same track numbers.
 *
 * <p>Of one program, the first H.264 (stream_type 0x1B) or H.265 (0x24) stream becomes {@link #VIDEO_TRACK} and the first
 * AAC stream in ADTS (0x0F) becomes {@link #AUDIO_TRACK}; every other stream is reported once as unsupported and ignored.
 * <ul>
 * <li>Video: the Annex B access unit becomes NAL units with 4-byte lengths. Access unit delimiters, filler data and the
 * parameter sets are taken out; the parameter sets go into a decoder configuration frame (AVCDecoderConfigurationRecord /
 * HEVCDecoderConfigurationRecord), sent before the first access unit and again when they change. Nothing is sent before
 * the first configuration and keyframe (IDR for H.264, IRAP for H.265), nor after a loss until the next keyframe. A PES
 * with a PTS starts an access unit and one without continues the previous one, so an access unit goes out when the next
 * PES with a PTS starts on its PID (or at {@link #flush()}).
 * <li>Audio: each ADTS frame becomes its raw AAC frame, header and CRC taken off; an AudioSpecificConfig frame comes
 * first and again when the ADTS fields change. The PES PTS times the first frame that starts in the PES, the next ones
 * follow 1024 samples apart.
 * <li>Time: {@link #TIMESCALE} 90 kHz. The 33-bit PTS and DTS of every PID go through one shared unwrapping, so the
 * timeline is 64-bit, keeps going across the wrap (every 26.5 hours) and audio and video stay aligned. dts is the DTS,
 * or the PTS when there is none.
 * </ul>
 *
 * <p>The input is hostile: nothing escapes {@link #feed} but what the {@link Sink} itself throws, every limit is a constant
 * (here and in {@link TsDemuxer}), and whatever is dropped is counted in {@link #stats()} and reported to
 * {@link Sink#skipped}. Memory is at most the access unit being gathered ({@link #MAX_ACCESS_UNIT_BYTES}), the parameter
 * sets (see {@link #MAX_PARAMETER_SETS}), one ADTS frame and a few kilobytes of fixed buffers in the demuxer, whatever
 * the input. Not thread-safe: one instance per input, fed from one thread.
 */
public final class TsToFrames {
    public static final int VIDEO_TRACK = 0;
    public static final int AUDIO_TRACK = 1;
    public static final int TIMESCALE = 90_000;
    /**
     * Largest access unit: an unbounded PES whose end never comes, or PES packets without PTS that continue one access unit
     * without end, are dropped here. 8 MiB holds an intra frame of 4K video at a high bitrate several times over.
     */
    public static final int MAX_ACCESS_UNIT_BYTES = 8 << 20;
    /** NAL units in one access unit: encoders send a few (delimiter, SEI, parameter sets, some slices); more is hostile. */
    public static final int MAX_NAL_UNITS = ParameterSetTracker.MAX_NAL_UNITS;
    /** Largest VPS, SPS or PPS ({@link ParameterSetTracker#MAX_PARAMETER_SET_BYTES}: what a configuration record holds). */
    public static final int MAX_PARAMETER_SET_BYTES = ParameterSetTracker.MAX_PARAMETER_SET_BYTES;
    /** Most parameter sets of one kind in an access unit ({@link ParameterSetTracker#MAX_PARAMETER_SETS}). */
    public static final int MAX_PARAMETER_SETS = ParameterSetTracker.MAX_PARAMETER_SETS;
    /** frame_length is 13 bits and counts the header: no ADTS frame is longer. */
    public static final int MAX_ADTS_FRAME = (1 << 13) - 1;
    /** The first access unit buffer; it doubles up to {@link #MAX_ACCESS_UNIT_BYTES} as units need it. */
    private static final int INITIAL_ACCESS_UNIT_BUFFER = 64 << 10;

    /** Why something was dropped. */
    public enum Skip { DAMAGED, UNSUPPORTED }

    /** What the converter hands out, on the caller's thread, during feed(). */
    public interface Sink {
        void frame(MediaFrame frame);

        /** Something was dropped. The rate of calls may be high: the caller rate-limits its log. */
        void skipped(Skip why, String detail);
    }

    /**
     * Counters since construction, for export.
     *
     * @param bytes                 bytes fed
     * @param packets               188-byte packets read
     * @param syncLosses            times packet sync was lost and searched again
     * @param skippedBytes          bytes dropped while searching for sync
     * @param transportErrors       packets with transport_error_indicator, dropped
     * @param malformedPackets      packets whose header cannot be right, dropped
     * @param continuityErrors      continuity_counter jumps on read PIDs
     * @param duplicatePackets      duplicate packets dropped
     * @param scrambledPackets      scrambled packets dropped
     * @param ignoredPackets        packets of PIDs that are not read (null packets, other programs, unused streams)
     * @param ignoredStreams        streams and programs not carried (each counted once per PID)
     * @param pesPackets            PES packets started on the video and audio PIDs
     * @param damagedUnits          PSI sections, PES packets, access units and AAC frames dropped as damaged (and
     *                              ADTS sync losses)
     * @param unsupportedUnits      AAC frames dropped because they cannot be carried (several raw blocks, channel
     *                              configuration 0)
     * @param droppedBeforeKeyframe access units and AAC frames dropped while waiting for a keyframe, a configuration or a
     *                              timestamp
     * @param videoFrames           video access units sent
     * @param audioFrames           AAC frames sent
     * @param configFrames          configuration frames sent
     * @param internalErrors        bugs caught in feed (the state was reset): should stay 0
     */
    public record Stats(long bytes, long packets, long syncLosses, long skippedBytes, long transportErrors,
                        long malformedPackets, long continuityErrors, long duplicatePackets, long scrambledPackets,
                        long ignoredPackets, long ignoredStreams, long pesPackets, long damagedUnits, long unsupportedUnits,
                        long droppedBeforeKeyframe, long videoFrames, long audioFrames, long configFrames,
                        long internalErrors) {
    }

    private final Sink sink;
    private final TsDemuxer demuxer;
    private final Timeline timeline = new Timeline();
    private final VideoTrack video = new VideoTrack();
    private final AudioTrack audio = new AudioTrack();
    /** PIDs already reported as not carried. */
    private final BitSet reported = new BitSet(TsDemuxer.NULL_PID + 1);
    private long sequence;

    private long ignoredStreams;
    private long damagedUnits;
    private long unsupportedUnits;
    private long droppedBeforeKeyframe;
    private long videoFrames;
    private long audioFrames;
    private long configFrames;
    private long internalErrors;

    /** Converts the first program of the PAT. */
    public TsToFrames(Sink sink) {
        this(sink, 0);
    }

    /** Converts the program with this program_number, or the first program of the PAT for 0. */
    public TsToFrames(Sink sink, int programNumber) {
        if (sink == null) {
            throw new NullPointerException("sink");
        }
        this.sink = sink;
        this.demuxer = new TsDemuxer(new Demux(), programNumber);
    }

    /**
     * Reads the next bytes of the stream, split anywhere: 188-byte packets in 1316-byte datagrams, or arbitrary TCP reads.
     * Frames and skips are handed to the sink before it returns. Never throws for any input; an exception thrown by the
     * sink comes out unchanged, after the converter has forgotten its partial state as in {@link #discontinuity()}.
     */
    public void feed(byte[] data, int offset, int length) {
        if (data == null || offset < 0 || length < 0 || offset > data.length - length) {
            throw new IndexOutOfBoundsException("slice [" + offset + ", +" + length + ") of "
                    + (data == null ? "null" : data.length + " bytes"));
        }
        guarded(() -> demuxer.feed(data, offset, length));
    }

    /**
     * The stream ended (end of file, the connection closed): the access units still open are sent (the last PES of a
     * stream has no next unit start to end it). Feeding afterwards starts over as after {@link #discontinuity()}.
     */
    public void flush() {
        guarded(() -> {
            demuxer.flush();
            video.finishAccessUnit();
            video.restart();
            audio.restart();
        });
    }

    /**
     * Forgets partial packets, PES packets and frames, and waits for the next keyframe (the source restarted, or data was
     * skipped). The PSI, the selected streams and the last configurations are kept.
     */
    public void discontinuity() {
        demuxer.discontinuity();
        video.restart();
        audio.restart();
    }

    /** Continuity gaps plus sync losses so far, without building {@link #stats()}: for callers counting per datagram. */
    public long inputErrors() {
        return demuxer.inputErrors();
    }

    public Stats stats() {
        TsDemuxer.Counters c = demuxer.counters();
        return new Stats(c.bytes(), c.packets(), c.syncLosses(), c.skippedBytes(), c.transportErrors(),
                c.malformedPackets(), c.continuityErrors(), c.duplicatePackets(), c.scrambledPackets(),
                c.ignoredPackets(), c.ignoredStreams() + ignoredStreams, c.pesPackets(),
                c.badSections() + c.badPes() + damagedUnits, unsupportedUnits, droppedBeforeKeyframe, videoFrames,
                audioFrames, configFrames, internalErrors);
    }

    /** Bytes held in buffers that grow with the input (for tests of the limits): the access unit buffer. */
    int bufferedCapacity() {
        return video.au.length;
    }

    /** Runs work; a bug of ours is counted and the state reset, an exception of the sink passes through. */
    private void guarded(Runnable work) {
        try {
            work.run();
        } catch (SinkFailure e) {
            discontinuity();
            throw e.failure;
        } catch (RuntimeException e) {
            internalErrors++;
            discontinuity();
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

    private void emit(int track, Codec codec, long dts, long pts, int flags, byte[] payload) {
        MediaFrame f = new MediaFrame(track, codec, dts, pts, TIMESCALE, flags, 0, sequence++, payload);
        if ((flags & MediaFrame.FLAG_CONFIG) != 0) {
            configFrames++;
        } else if (track == VIDEO_TRACK) {
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

    private void skip(Skip why, String detail) {
        try {
            sink.skipped(why, detail);
        } catch (RuntimeException e) {
            throw new SinkFailure(e);
        }
    }

    /** Reports a PID once; returns whether it was new. */
    private boolean reportOnce(int pid, String detail) {
        if (reported.get(pid)) {
            return false;
        }
        reported.set(pid);
        ignoredStreams++;
        skip(Skip.UNSUPPORTED, detail);
        return true;
    }

    /** The listener of the demuxer: picks the streams and routes their PES packets. */
    private final class Demux implements TsDemuxer.Listener {
        @Override
        public Set<Integer> programMap(int programNumber, List<TsDemuxer.Stream> streams) {
            int videoPid = -1;
            Codec videoCodec = null;
            int audioPid = -1;
            for (TsDemuxer.Stream s : streams) {
                int type = s.streamType();
                boolean isVideo = type == TsSegmentWriter.STREAM_TYPE_H264 || type == TsSegmentWriter.STREAM_TYPE_H265;
                if (isVideo && videoPid < 0) {
                    videoPid = s.pid();
                    videoCodec = type == TsSegmentWriter.STREAM_TYPE_H264 ? Codec.H264 : Codec.H265;
                } else if (type == TsSegmentWriter.STREAM_TYPE_AAC_ADTS && audioPid < 0) {
                    audioPid = s.pid();
                } else {
                    String what = isVideo ? "a second video stream" : type == TsSegmentWriter.STREAM_TYPE_AAC_ADTS
                            ? "a second audio stream" : describe(type);
                    reportOnce(s.pid(), "program " + programNumber + ", PID " + s.pid() + ": " + what
                            + " (stream_type 0x" + Integer.toHexString(type) + ") is not carried");
                }
            }
            if (videoPid != video.pid || videoCodec != video.codec) {
                video.select(videoPid, videoCodec);
            }
            if (audioPid != audio.pid) {
                audio.select(audioPid);
            }
            Set<Integer> wanted = new HashSet<>(4);
            if (videoPid >= 0) {
                wanted.add(videoPid);
            }
            if (audioPid >= 0) {
                wanted.add(audioPid);
            }
            return wanted;
        }

        @Override
        public void pesStart(int pid, TsDemuxer.PesHeader header) {
            if (pid == video.pid) {
                video.pesStart(header);
            } else if (pid == audio.pid) {
                audio.pesStart(header);
            }
        }

        @Override
        public void pesData(int pid, byte[] data, int offset, int length) {
            if (pid == video.pid) {
                video.pesData(data, offset, length);
            } else if (pid == audio.pid) {
                audio.pesData(data, offset, length);
            }
        }

        @Override
        public void pesEnd(int pid) {
            if (pid == video.pid) {
                video.pesEnd();
            }
        }

        @Override
        public void lost(int pid, boolean badPes, String why) {
            if (pid == video.pid) {
                video.lost(badPes, why);
            } else if (pid == audio.pid) {
                audio.lost(badPes, why);
            }
        }

        @Override
        public void damaged(String detail) {
            skip(Skip.DAMAGED, detail);
        }

        @Override
        public void unsupported(String detail) {
            skip(Skip.UNSUPPORTED, detail);
        }
    }

    /** Names the stream types one meets in the field, for the report. */
    static String describe(int streamType) {
        return switch (streamType) {
            case 0x01 -> "MPEG-1 video";
            case 0x02 -> "MPEG-2 video";
            case 0x03 -> "MPEG-1 audio";
            case 0x04 -> "MPEG-2 audio";
            case 0x05 -> "private sections";
            case 0x06 -> "private PES data (AC-3, subtitles, teletext...)";
            case 0x0D -> "DSM-CC sections";
            case 0x10 -> "MPEG-4 part 2 video";
            case 0x11 -> "AAC in LATM";
            case 0x15 -> "timed metadata";
            case 0x81 -> "AC-3";
            case 0x86 -> "SCTE-35 splice information";
            case 0x87 -> "E-AC-3";
            default -> "stream_type 0x" + Integer.toHexString(streamType);
        };
    }

    /**
     * Extends 33-bit PTS/DTS values to a 64-bit timeline: each value is placed within half a wrap (about 13 hours) of the
     * last one, whichever PID it came from, so every PID crosses the wrap at the same point and audio stays beside video.
     * The timeline starts at the first value seen.
     */
    static final class Timeline {
        static final long WRAP = 1L << 33;
        private long last;
        private boolean started;

        long unwrap(long ts33) {
            if (!started) {
                started = true;
                last = ts33;
                return ts33;
            }
            long delta = (ts33 - last) & (WRAP - 1);
            if (delta >= WRAP / 2) {
                delta -= WRAP;
            }
            last += delta;
            return last;
        }
    }

    // ---- video

    private final class VideoTrack {
        int pid = -1;
        Codec codec;
        private byte[] au = new byte[0];
        private int auLength;
        /** An access unit is being gathered: its timestamps are known. */
        private boolean open;
        /** The last PES of the open access unit ended whole (a loss after it does not touch it). */
        private boolean pesWhole;

        private long dts;
        private long pts;
        private boolean needKeyframe = true;
        /** The parameter sets seen and the configuration sent, for the selected codec. */
        private ParameterSetTracker parameterSets = new ParameterSetTracker(false);
        private final int[] nalOffsets = new int[MAX_NAL_UNITS];
        private final int[] nalLengths = new int[MAX_NAL_UNITS];

        void select(int newPid, Codec newCodec) {
            pid = newPid;
            codec = newCodec;
            parameterSets = new ParameterSetTracker(newCodec == Codec.H265);
            restart();
        }

        /** Drops the access unit being gathered, without counting it, and waits for a keyframe. */
        void restart() {
            open = false;
            auLength = 0;
            needKeyframe = true;
        }

        void pesStart(TsDemuxer.PesHeader h) {
            if (h.hasPts()) {
                finishAccessUnit();
                long rawDts = h.dts() >= 0 ? h.dts() : h.pts();
                dts = timeline.unwrap(rawDts);
                pts = timeline.unwrap(h.pts());
                open = true;
                auLength = 0;
            }
            // A PES without PTS continues the open access unit; with none open, it continues one that was dropped or
            // began before we joined, and pesData drops it.
            pesWhole = false;
        }

        void pesData(byte[] b, int off, int len) {
            if (!open) {
                return;
            }
            if (len > MAX_ACCESS_UNIT_BYTES - auLength) {
                drop("access unit larger than " + MAX_ACCESS_UNIT_BYTES + " bytes", true);
                return;
            }
            if (auLength + len > au.length) {
                long grown = Math.max((long) au.length * 2, INITIAL_ACCESS_UNIT_BUFFER);
                au = Arrays.copyOf(au, (int) Math.min(Math.max(grown, auLength + len), MAX_ACCESS_UNIT_BYTES));
            }
            System.arraycopy(b, off, au, auLength, len);
            auLength += len;
        }

        void pesEnd() {
            pesWhole = open;
        }

        /** badPes: the demuxer counted the loss as a damaged PES already. */
        void lost(boolean badPes, String why) {
            if (open && pesWhole) {
                finishAccessUnit(); // the loss came after its PES ended: the access unit is whole
            }
            if (open) {
                drop(why, !badPes);
                return;
            }
            needKeyframe = true;
            skip(Skip.DAMAGED, "video: " + why + "; waiting for a keyframe");
        }

        private void drop(String why, boolean count) {
            open = false;
            auLength = 0;
            needKeyframe = true;
            if (count) {
                damagedUnits++;
            }
            skip(Skip.DAMAGED, "video access unit dropped: " + why + "; waiting for a keyframe");
        }

        void finishAccessUnit() {
            if (!open) {
                return;
            }
            open = false;
            int length = auLength;
            auLength = 0;
            accessUnit(length);
        }

        /** Converts the Annex B access unit in au[0, length). */
        private void accessUnit(int length) {
            int count = 0;
            int start = startCode(au, 0, length);
            if (start < 0) {
                damaged("no start code in the video access unit");
                return;
            }
            while (start >= 0) {
                int next = startCode(au, start, length);
                int end = next < 0 ? length : next - 3;
                while (end > start && au[end - 1] == 0) {
                    end--; // zero bytes before a start code belong to it (a NAL unit never ends in 0x00)
                }
                if (end > start) {
                    if (count == MAX_NAL_UNITS) {
                        damaged("more than " + MAX_NAL_UNITS + " NAL units in a video access unit");
                        return;
                    }
                    nalOffsets[count] = start;
                    nalLengths[count] = end - start;
                    count++;
                }
                start = next;
            }

            ParameterSetTracker.Unit unit;
            try {
                unit = parameterSets.convert(au, nalOffsets, nalLengths, count);
            } catch (BitstreamException e) {
                damaged(e.getMessage());
                return;
            }
            if (unit.config() != null) {
                emit(VIDEO_TRACK, codec, dts, pts, MediaFrame.FLAG_CONFIG, unit.config());
            }
            if (needKeyframe) {
                if (!unit.keyframe() || !parameterSets.configured()) {
                    droppedBeforeKeyframe++;
                    return;
                }
                needKeyframe = false;
            }
            if (unit.payload() == null) {
                return; // parameter sets and delimiters only: nothing to decode
            }
            emit(VIDEO_TRACK, codec, dts, pts, unit.keyframe() ? MediaFrame.FLAG_KEYFRAME : 0, unit.payload());
        }

        private void damaged(String why) {
            damagedUnits++;
            needKeyframe = true;
            skip(Skip.DAMAGED, "video access unit dropped: " + why + "; waiting for a keyframe");
        }
    }

    /** Index just after the next 00 00 01 at or after from, or -1. */
    static int startCode(byte[] b, int from, int end) {
        int i = from;
        while (i + 2 < end) {
            int c = b[i + 2] & 0xFF;
            if (c > 1) {
                i += 3; // no start code can begin at i, i+1 or i+2
            } else if (c == 1 && b[i] == 0 && b[i + 1] == 0) {
                return i + 3;
            } else {
                i++;
            }
        }
        return -1;
    }

    // ---- audio

    private final class AudioTrack {
        private static final int HEADER = 7;
        int pid = -1;
        private final byte[] frame = new byte[MAX_ADTS_FRAME];
        private int have;
        /** Bytes of the frame being gathered: its frame_length once its header is read, else the header size. */
        private int need = HEADER;
        /** Counts PES starts, to know whether a frame began in the PES whose PTS is pending. */
        private long pesSerial;
        private long frameSerial;
        private long pendingPts;
        private long pendingSerial = -1;
        private long base;
        private long index;
        private boolean timed;
        private boolean searching;
        /** profile, sampling_frequency_index and channel_configuration of the last config sent, -1 before it. */
        private int configKey = -1;
        private AudioSpecificConfig config;
        private int unsupportedKey = -1;

        void select(int newPid) {
            pid = newPid;
            configKey = -1;
            config = null;
            unsupportedKey = -1;
            restart();
        }

        void restart() {
            have = 0;
            need = HEADER;
            timed = false;
            pendingSerial = -1;
            searching = false;
        }

        void pesStart(TsDemuxer.PesHeader h) {
            pesSerial++;
            if (h.hasPts()) {
                pendingPts = timeline.unwrap(h.pts());
                pendingSerial = pesSerial;
            }
        }

        void lost(boolean badPes, String why) {
            if (have > 0) {
                if (!badPes) {
                    damagedUnits++;
                }
                skip(Skip.DAMAGED, "AAC frame dropped: " + why);
            } else {
                skip(Skip.DAMAGED, "audio: " + why);
            }
            have = 0;
            need = HEADER;
            timed = false; // frames may be missing: time again from the next PTS
            pendingSerial = -1;
        }

        void pesData(byte[] b, int off, int len) {
            int p = off;
            int end = off + len;
            while (p < end) {
                if (have == 0) {
                    int q = p;
                    while (q < end && b[q] != (byte) 0xFF) {
                        q++;
                    }
                    if (q > p) {
                        lostSync();
                        p = q;
                        if (p == end) {
                            return;
                        }
                    }
                    frameSerial = pesSerial;
                }
                int n = Math.min(end - p, need - have);
                System.arraycopy(b, p, frame, have, n);
                have += n;
                p += n;
                if (have < need) {
                    return;
                }
                if (need == HEADER) {
                    int length = frameLength();
                    if (length < 0) {
                        resync();
                    } else {
                        need = length;
                    }
                    if (have < need) {
                        continue;
                    }
                }
                frameDone();
                have = 0;
                need = HEADER;
            }
        }

        /** frame_length of the ADTS header in frame[0, 7), or -1 when it is no ADTS header we can read. */
        private int frameLength() {
            if ((frame[0] & 0xFF) != 0xFF || (frame[1] & 0xF6) != 0xF0) {
                return -1; // syncword 0xFFF and layer 0
            }
            int rateIndex = (frame[2] >> 2) & 0x0F;
            int length = (frame[3] & 0x03) << 11 | (frame[4] & 0xFF) << 3 | (frame[5] & 0xFF) >> 5;
            int headerSize = (frame[1] & 1) != 0 ? HEADER : HEADER + 2;
            if (rateIndex > 12 || length <= headerSize) {
                return -1; // reserved sampling frequency index; a frame without data
            }
            return length;
        }

        /** The header in frame[0, have) is wrong: keep what follows from the next 0xFF on. */
        private void resync() {
            lostSync();
            int j = 1;
            while (j < have && frame[j] != (byte) 0xFF) {
                j++;
            }
            System.arraycopy(frame, j, frame, 0, have - j);
            have -= j;
            need = HEADER;
        }

        private void lostSync() {
            if (!searching) {
                searching = true;
                damagedUnits++;
                skip(Skip.DAMAGED, "AAC: no ADTS header where one should start, looking for the next");
            }
        }

        private void frameDone() {
            searching = false;
            if (pendingSerial >= 0 && pendingSerial == frameSerial) {
                base = pendingPts; // the PTS of a PES belongs to the first frame that starts in it
                index = 0;
                timed = true;
                pendingSerial = -1;
            }
            int headerSize = (frame[1] & 1) != 0 ? HEADER : HEADER + 2;
            int profile = (frame[2] >> 6) & 0x03;
            int rateIndex = (frame[2] >> 2) & 0x0F;
            int channels = (frame[2] & 0x01) << 2 | (frame[3] >> 6) & 0x03;
            int blocks = (frame[6] & 0x03) + 1;
            if (!timed) {
                droppedBeforeKeyframe++;
                return;
            }
            long at = index;
            index += blocks;
            int key = profile << 8 | rateIndex << 4 | channels;
            if (channels == 0 || blocks > 1) {
                unsupportedUnits++;
                if (key != unsupportedKey) {
                    unsupportedKey = key;
                    skip(Skip.UNSUPPORTED, channels == 0
                            ? "AAC with channel_configuration 0 (channels in a program_config_element) is not carried"
                            : "ADTS frames with " + blocks + " raw data blocks are not carried");
                }
                return;
            }
            if (key != configKey) {
                // AudioSpecificConfig: audioObjectType = profile + 1, the frequency index, the channels, and a
                // GASpecificConfig of three 0 bits (1024-sample frames, no core coder, no extension).
                int objectType = profile + 1;
                byte[] asc = {(byte) (objectType << 3 | rateIndex >> 1),
                              (byte) ((rateIndex & 1) << 7 | channels << 3)};
                try {
                    config = AudioSpecificConfig.parse(asc, 0, asc.length);
                } catch (BitstreamException e) {
                    damagedUnits++;
                    skip(Skip.DAMAGED, "AAC frame dropped: " + e.getMessage());
                    return;
                }
                configKey = key;
                long ts = base + config.frameTimestamp(at, TIMESCALE);
                emit(AUDIO_TRACK, Codec.AAC, ts, ts, MediaFrame.FLAG_CONFIG, asc);
            }
            long ts = base + config.frameTimestamp(at, TIMESCALE);
            emit(AUDIO_TRACK, Codec.AAC, ts, ts, 0, Arrays.copyOfRange(frame, headerSize, have));
        }
    }
}
