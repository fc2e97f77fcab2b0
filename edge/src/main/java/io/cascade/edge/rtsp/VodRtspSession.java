package io.cascade.edge.rtsp;

import io.cascade.edge.vod.VodFile;
import io.cascade.edge.vod.VodFileCache;
import io.cascade.media.MediaFrame;
import io.cascade.metrics.NodeCounters;
import io.cascade.rtsp.RtspConnection;
import io.cascade.rtsp.RtspPlayRequest;
import io.cascade.rtsp.RtspVodSession;
import io.cascade.vod.PacedFile;
import io.cascade.vod.VodLibrary;
import io.netty.buffer.Unpooled;
import io.vertx.core.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One RTSP session's file, sent as RTP (or MPEG-TS over RTP) by the node's one pacing engine, {@link PacedFile}: read
 * ahead within its bounds on the library's file-reading threads and written at real time from the connection's event
 * loop; at the end of the file every track ends with an RTCP BYE, which players take as the end of the stream. PAUSE
 * holds the clock and keeps what was read; PLAY resumes there (and says where), or seeks to the last keyframe at or
 * before the Range's start. Sequence numbers run on across seeks; RTP times follow the file's media time, as PLAY's
 * RTP-Info tells. The session holds one of the node's {@code vod.max.plays} from DESCRIBE to its end.
 */
final class VodRtspSession implements RtspVodSession, PacedFile.Output {
    private static final Logger log = LoggerFactory.getLogger(VodRtspSession.class);
    /** Frames due within this go out together: finer than a frame at 50 fps, so RTP keeps its spacing. */
    static final long GRANULARITY_MS = 10;
    /** Frames go out this much before their time, so timer jitter never makes a player wait for one. */
    static final long LEAD_MS = 100;
    /**
     * The BYE follows the last frame's time by this much: over UDP it goes to other ports than the media, and a player
     * that read it first would end before taking the last packets.
     */
    static final long BYE_DELAY_MS = 250;
    private static final String END_REASON = "end of file";

    private final VodLibrary library;
    private final VodFileCache.Lease lease;
    private final VodFile file;
    private final NodeCounters.ProtocolCounters counters;
    private RtspConnection connection;
    private Context context;
    private RtpEncoder rtp;
    private TsOverRtpEncoder ts;
    private PacedFile paced;
    /** The wall clock at media time 0 for sender reports (the moment PLAY started, less its position). */
    private long anchorMillis;
    /** The media time the last PLAY started at: a resume before the engine knows its position goes on from it. */
    private long startedAtMillis;
    private long byeTimer = -1;
    private boolean paused;
    /** Every frame went out: the BYE follows (or, after a PAUSE, follows the resuming PLAY). */
    private boolean completed;
    /** The BYE went out: the next PLAY starts again from its Range, or the start. */
    private boolean ended;
    private boolean closed;

    /** @param lease the file DESCRIBE opened; the session also holds one of the library's plays, given back at close */
    VodRtspSession(VodLibrary library, VodFileCache.Lease lease, NodeCounters.ProtocolCounters counters) {
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
        boolean first = paced == null;
        if (first) {
            this.connection = connection;
            this.context = connection.context();
            if (request.ts()) {
                ts = new TsOverRtpEncoder(request.channels().get(0));
            } else {
                rtp = new RtpEncoder(request.channels());
            }
            for (MediaFrame config : file.configs()) {
                encode(config); // configs send nothing: the tracks take their parameters from them, for RTP-Info
            }
            // the engine reads through the lease, and closing its file gives the lease back
            paced = new PacedFile(library.host(context), new PacedFile.Options(LEAD_MS, GRANULARITY_MS, false),
                    lease::media, this);
            counters.vodPlays.increment();
        }
        cancelBye();
        long at;
        if (first || fromMillis >= 0 || ended) {
            // the index is read without a lock (VodFile), so the real start is known here, before any read
            at = file.sample(file.seekIndex(Math.max(0, fromMillis))).millis();
            completed = false;
            ended = false;
            if (first) {
                paced.start(at);
            } else {
                paced.seek(at);
            }
        } else {
            long position = paced.positionMillis();
            at = position >= 0 ? position : startedAtMillis; // the engine's seek is still reading: where it went
        }
        paused = false;
        paced.pause(false);
        startedAtMillis = at;
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
        if (completed) {
            scheduleBye(); // paused between the last frame and the BYE
        }
        return new Started(Math.max(0, at - file.sample(0).millis()), tracks);
    }

    @Override
    public void pause() {
        if (paced != null && !closed) {
            paused = true;
            paced.pause(true);
            cancelBye();
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        cancelBye();
        counters.viewers.decrement();
        library.release();
        if (paced != null) {
            paced.close(); // closes its file, the lease's view, on a file-reading thread
        } else {
            library.execute(lease::close); // closing may wait for a read of the same file: never on an event loop
        }
    }

    // ---- PacedFile.Output, on the connection's event loop ----

    @Override
    public void opened(List<MediaFrame> configs, long durationMillis) {
    }

    /** Never called once the session is closed: {@link #close} closes the engine first. */
    @Override
    public boolean write(MediaFrame frame) {
        // a file loses no frame for a slow player: it waits (offered again), its socket's queue bounds it; checked
        // before encoding, since encoding moves the tracks' sequence numbers
        if (connection.writeQueueFull()) {
            return false;
        }
        byte[] bytes = encode(frame); // null for configs and tracks not set up
        if (bytes != null) {
            connection.queueMedia(Unpooled.wrappedBuffer(bytes));
        }
        return true;
    }

    @Override
    public void flush() {
        connection.flush();
    }

    @Override
    public void completed() {
        completed = true;
        if (!closed && !paused) {
            scheduleBye();
        }
    }

    @Override
    public void failed(Exception cause) {
        if (!closed) {
            log.warn("{}: reading the file failed, ending the session: {}", connection.peer(), String.valueOf(cause));
            connection.close();
        }
    }

    private byte[] encode(MediaFrame f) {
        return rtp != null ? rtp.encode(f, f.dtsMillis()) : ts.encode(f, f.dtsMillis());
    }

    /** The last frame went out {@link #LEAD_MS} before its time: the BYE follows that time by {@link #BYE_DELAY_MS}. */
    private void scheduleBye() {
        cancelBye();
        byeTimer = context.owner().setTimer(LEAD_MS + BYE_DELAY_MS, id -> {
            byeTimer = -1;
            if (closed || paused) {
                return;
            }
            byte[] bye = rtp != null ? rtp.bye(END_REASON) : ts.bye(anchorMillis, END_REASON);
            if (bye != null) {
                connection.queueMedia(Unpooled.wrappedBuffer(bye));
            }
            connection.flush();
            ended = true;
        });
    }

    private void cancelBye() {
        if (byeTimer >= 0) {
            context.owner().cancelTimer(byeTimer);
            byeTimer = -1;
        }
    }
}
