package io.cascade.edge.rtsp;

import io.cascade.edge.vod.VodFile;
import io.cascade.edge.vod.VodFileCache;
import io.cascade.media.MediaFrame;
import io.cascade.metrics.NodeCounters;
import io.cascade.rtsp.RtspConnection;
import io.cascade.rtsp.RtspPlayRequest;
import io.cascade.rtsp.RtspVodSession;
import io.netty.buffer.Unpooled;
import io.vertx.core.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One RTSP session's file: frames read ahead on the library's workers, a bounded way ahead of the play position,
 * and sent as RTP (or MPEG-TS over RTP) at real time from the connection's event loop; at the end of the file every
 * track ends with an RTCP BYE, which players take as the end of the stream. PAUSE stops the clock and keeps what was
 * read; PLAY resumes there, or seeks (the last keyframe at or before the Range's start) and reads from there.
 * Sequence numbers run on across seeks; RTP times follow the file's media time, as PLAY's RTP-Info tells.
 */
final class VodRtspSession implements RtspVodSession {
    private static final Logger log = LoggerFactory.getLogger(VodRtspSession.class);
    /** How often frames that are due are sent: finer than a frame at 50 fps. */
    static final long TICK_MS = 10;
    /** Frames go out this much before their time, so timer jitter never makes a player wait for one. */
    static final long LEAD_MS = 100;
    /** Read-ahead bounds: this much media, this many frames, these many bytes past the play position, at most. */
    static final long READ_AHEAD_MS = 2_000;
    static final int READ_AHEAD_FRAMES = 1_024;
    static final long READ_AHEAD_BYTES = 8L << 20;
    /** Frames one worker task reads: enough to stay ahead, few enough that a seek waits little for it. */
    static final int READ_BATCH = 64;
    /**
     * The BYE follows the last frame by this much of the clock: over UDP it goes to other ports than the media, and a
     * player that read it first would end before taking the last packets.
     */
    static final long BYE_DELAY_MS = 250;
    private static final String END_REASON = "end of file";

    private final VodFileCache library;
    private final VodFileCache.Lease lease;
    private final VodFile file;
    private final NodeCounters.ProtocolCounters counters;
    private final ArrayDeque<MediaFrame> buffer = new ArrayDeque<>();
    private long bufferedBytes;
    /** The next sample to read from the file. */
    private int nextIndex;
    /** Bumped at each seek: a read started before it is thrown away when it completes. */
    private long generation;
    private boolean reading;
    private RtspConnection connection;
    private Context context;
    private RtpEncoder rtp;
    private TsOverRtpEncoder ts;
    private long timer = -1;
    private boolean started;
    private boolean ended;
    private boolean closed;
    /** The clock: media time {@link #mediaStartMillis} was due at {@link #wallStartNanos}. */
    private long wallStartNanos;
    private long mediaStartMillis;
    private long anchorMillis;
    /** Media time of the last frame sent. */
    private long lastSentMillis = Long.MIN_VALUE;

    VodRtspSession(VodFileCache library, VodFileCache.Lease lease, NodeCounters.ProtocolCounters counters) {
        this.library = library;
        this.lease = lease;
        this.file = lease.file();
        this.counters = counters;
        counters.viewers.increment();
    }

    @Override
    public List<MediaFrame> configs() {
        return file.configs();
    }

    @Override
    public long durationMillis() {
        return file.durationMillis();
    }

    @Override
    public Started play(RtspConnection connection, RtspPlayRequest request, long fromMillis) {
        if (rtp == null && ts == null) {
            this.connection = connection;
            this.context = connection.context();
            if (request.ts()) {
                ts = new TsOverRtpEncoder(request.channels().get(0));
            } else {
                rtp = new RtpEncoder(request.channels());
            }
            for (MediaFrame config : file.configs()) {
                encode(config); // configs send nothing: the tracks take their parameters from them
            }
        }
        stopClock();
        if (fromMillis >= 0 || !started || ended) {
            seek(file.seekIndex(Math.max(0, fromMillis)));
        }
        started = true;
        ended = false;
        // the position: the next frame to send, read or not yet
        long at = !buffer.isEmpty() ? buffer.peekFirst().dtsMillis()
                : nextIndex < file.sampleCount() ? file.sample(nextIndex).millis()
                : file.sample(file.sampleCount() - 1).millis();
        wallStartNanos = System.nanoTime();
        mediaStartMillis = at;
        anchorMillis = System.currentTimeMillis() - at;
        Map<Integer, RtpStart> tracks = new LinkedHashMap<>();
        if (rtp != null) {
            rtp.anchor(anchorMillis);
            for (int track : request.channels().keySet()) {
                RtpStart s = rtp.start(track, at);
                if (s != null) {
                    tracks.put(track, s);
                }
            }
        } else {
            tracks.put(0, ts.start(at));
        }
        timer = context.owner().setPeriodic(TICK_MS, id -> tick());
        fill();
        return new Started(Math.max(0, at - file.sample(0).millis()), tracks);
    }

    private void seek(int index) {
        generation++;
        reading = false; // a read in flight is thrown away when it completes
        buffer.clear();
        bufferedBytes = 0;
        nextIndex = index;
    }

    @Override
    public void pause() {
        stopClock();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopClock();
        buffer.clear();
        counters.viewers.decrement();
        // closing may wait for a read of the same file on a worker: never on the event loop
        library.blocking(() -> {
            lease.close();
            return null;
        });
    }

    private void stopClock() {
        if (timer >= 0) {
            context.owner().cancelTimer(timer);
            timer = -1;
        }
    }

    /** Sends what is due, reads ahead, and ends the tracks once the file is sent. */
    private void tick() {
        if (closed || timer < 0) {
            return;
        }
        long now = mediaStartMillis + (System.nanoTime() - wallStartNanos) / 1_000_000;
        long due = now + LEAD_MS;
        boolean sent = false;
        while (!buffer.isEmpty() && buffer.peekFirst().dtsMillis() <= due && !connection.writeQueueFull()) {
            MediaFrame f = buffer.pollFirst();
            bufferedBytes -= f.payload().length;
            lastSentMillis = f.dtsMillis();
            byte[] bytes = encode(f);
            if (bytes != null) {
                connection.queueMedia(Unpooled.wrappedBuffer(bytes));
                sent = true;
            }
        }
        if (buffer.isEmpty() && !reading && nextIndex >= file.sampleCount() && now >= lastSentMillis + BYE_DELAY_MS) {
            byte[] bye = rtp != null ? rtp.bye(END_REASON) : ts.bye(anchorMillis, END_REASON);
            if (bye != null) {
                connection.queueMedia(Unpooled.wrappedBuffer(bye));
            }
            connection.flush();
            ended = true;
            stopClock();
            return;
        }
        if (sent) {
            connection.flush();
        }
        fill();
    }

    private byte[] encode(MediaFrame f) {
        return rtp != null ? rtp.encode(f, f.dtsMillis()) : ts.encode(f, f.dtsMillis());
    }

    /** Starts a read of the next frames when the buffer is below its bounds and none is in flight. */
    private void fill() {
        if (reading || closed || nextIndex >= file.sampleCount()) {
            return;
        }
        long due = mediaStartMillis + (System.nanoTime() - wallStartNanos) / 1_000_000;
        if (!buffer.isEmpty() && (buffer.peekLast().dtsMillis() - due > READ_AHEAD_MS
                || buffer.size() >= READ_AHEAD_FRAMES || bufferedBytes >= READ_AHEAD_BYTES)) {
            return;
        }
        reading = true;
        long readFor = generation;
        int from = nextIndex;
        int to = Math.min(file.sampleCount(), from + READ_BATCH);
        library.blocking(() -> {
            List<MediaFrame> frames = new ArrayList<>(to - from);
            for (int i = from; i < to; i++) {
                frames.add(file.read(i));
            }
            return frames;
        }).onComplete(done -> context.runOnContext(v -> {
            if (closed || readFor != generation) {
                return; // the session ended or sought elsewhere meanwhile
            }
            reading = false;
            if (done.failed()) {
                log.warn("{}: reading the file failed, ending the session: {}", connection.peer(),
                        String.valueOf(done.cause()));
                connection.close();
                return;
            }
            for (MediaFrame f : done.result()) {
                buffer.addLast(f);
                bufferedBytes += f.payload().length;
            }
            nextIndex = to;
        }));
    }
}
