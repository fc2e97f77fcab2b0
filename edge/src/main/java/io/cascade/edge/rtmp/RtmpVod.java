package io.cascade.edge.rtmp;

import io.cascade.edge.fanout.Playback;
import io.cascade.edge.vod.VodFileCache;
import io.cascade.vod.PacedFile;
import io.cascade.files.VodFolders;
import io.cascade.vod.VodLibrary;
import io.cascade.media.MediaFrame;
import io.cascade.metrics.NodeCounters;
import io.cascade.metrics.RateLimitedLog;
import io.cascade.protocol.rtmp.frames.FileMetadata;
import io.cascade.protocol.rtmp.frames.FramesToRtmp;
import io.cascade.protocol.rtmp.session.PlayRequest;
import io.cascade.rtmp.RtmpConnection;
import io.cascade.rtmp.RtmpServer;
import io.cascade.rtmp.StreamBinding;
import io.netty.buffer.Unpooled;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.NoSuchFileException;
import java.util.List;

/**
 * One play of a file over RTMP (VOD): the file the name means in the application's folder, sent as Flash servers send
 * recorded streams: onMetaData with the duration at time 0, the configurations, then the samples with the file's
 * own timestamps, a buffer's length ahead of real time ({@link #lead}); at the end onPlayStatus
 * NetStream.Play.Complete, StreamEOF and NetStream.Play.Stop. {@code seek} and {@code pause} act on it. The play is
 * one viewer of the protocol while it plays, and one of the node's {@code vod.max.plays}. Runs on the connection's
 * event loop; the file is opened through the node's open files (its index shared with HLS, DASH and RTSP plays of
 * it) and read on the library's file-reading threads.
 */
final class RtmpVod implements StreamBinding, PacedFile.Output {
    private static final Logger log = LoggerFactory.getLogger(RtmpVod.class);
    /** A player's buffer when it did not say (SetBufferLength): frames go out this far ahead of real time. */
    static final long DEFAULT_LEAD_MS = 2_000;
    /**
     * The most a player's buffer makes us send ahead: rtmpdump asks for ten hours; beyond a few seconds a lead only
     * holds memory in the socket and the read-ahead.
     */
    static final long MAX_LEAD_MS = 5_000;
    /** Frames due within this go out together: one timer per group, not one per frame. */
    static final long GRANULARITY_MS = 50;
    /** Refusals for the node's bound come as fast as clients ask: a line every 10 s. */
    private static final RateLimitedLog fullLog = new RateLimitedLog(log, 10_000_000_000L);

    private final RtmpConnection connection;
    private final PlayRequest request;
    private final VodFileCache files;
    private final VodLibrary library;
    private final NodeCounters counters;
    private final NodeCounters.ProtocolCounters protocolCounters;
    private final String file;
    private final FramesToRtmp toRtmp = new FramesToRtmp();
    private PacedFile paced;
    private boolean holdsSlot;
    private boolean playing;
    private boolean closed;
    private long durationMillis;

    private RtmpVod(RtmpConnection connection, PlayRequest request, VodFileCache files, NodeCounters counters) {
        this.connection = connection;
        this.request = request;
        this.files = files;
        this.library = files.library();
        this.counters = counters;
        this.protocolCounters = counters.protocol(RtmpServer.PROTOCOL);
        this.file = VodFolders.rtmpFileName(request.name());
    }

    /**
     * Starts the play of {@code request} in a file application: authorised as any play (the file's relative path is
     * the name asked about), then within the node's bound, then opened on a worker.
     */
    static RtmpVod play(RtmpConnection c, PlayRequest r, VodFileCache files, Playback playback,
                        NodeCounters counters) {
        RtmpVod vod = new RtmpVod(c, r, files, counters);
        playback.authorise(vod.file, c.credentials(r.query()), RtmpServer.PROTOCOL, c.peer(), c.context())
                .onComplete(granted -> {
                    if (granted.failed()) {
                        // what a refused live play gets (Playback counted and logged it)
                        c.session().refusePlay(r.streamId(), "NetStream.Play.Failed", "Not authorised.");
                        c.close();
                    } else {
                        vod.open();
                    }
                });
        return vod;
    }

    private void open() {
        if (closed) {
            return;
        }
        if (!library.take()) {
            fullLog.warn("{}: play of {}/{} refused: {} files play already (vod.max.plays)", connection.peer(),
                    request.app(), file, library.maxPlays());
            counters.vodPlaysRefusedFull.increment();
            connection.session().refusePlay(request.streamId(), "NetStream.Play.Failed",
                    "The server plays as many files as it can, try again later.");
            return;
        }
        holdsSlot = true;
        String app = request.app();
        // the lease's view of the open file: closing it (the play's end) gives the lease back
        paced = new PacedFile(library.host(connection.context()),
                new PacedFile.Options(lead(), GRANULARITY_MS, false), () -> files.open(app, file).media(), this);
        // Flash sends the start in milliseconds; -2 (live or recorded), -1 (live) and 0 mean the beginning
        paced.start(request.start() > 0 ? (long) request.start() : 0);
    }

    /** The player's buffer as it told us, within bounds: how far ahead of real time frames go. */
    private long lead() {
        long asked = connection.session().bufferMillis(request.streamId());
        return asked < 0 ? DEFAULT_LEAD_MS : Math.min(MAX_LEAD_MS, asked);
    }

    // ---- PacedFile.Output ----

    @Override
    public void opened(List<MediaFrame> configs, long durationMillis) {
        if (closed) {
            return;
        }
        this.durationMillis = durationMillis;
        connection.session().startPlay(request.streamId(), request.name(), request.reset(), true);
        playing = true;
        protocolCounters.viewers.increment();
        protocolCounters.vodPlays.increment();
        log.info("vod play started: {}/{} by {} ({} ms, from {} ms)", request.app(), file, connection.peer(),
                durationMillis, Math.max(0, (long) request.start()));
        write(FileMetadata.onMetaData(configs, durationMillis));
    }

    @Override
    public boolean write(MediaFrame frame) {
        if (closed) {
            return true;
        }
        if (connection.writeQueueFull()) {
            return false; // a file loses no frame for a slow player: it waits, its socket's queue bounds it
        }
        connection.queueMedia(Unpooled.wrappedBuffer(toRtmp.encode(frame, request.streamId(), frame.dtsMillis())));
        return true;
    }

    @Override
    public void flush() {
        connection.flush();
    }

    @Override
    public void completed() {
        if (closed) {
            return;
        }
        connection.session().completePlay(request.streamId(), request.name(), durationMillis, paced.bytesWritten());
        connection.flush();
        log.info("vod play complete: {}/{} by {} ({} frames)", request.app(), file, connection.peer(),
                paced.framesWritten());
        end();
    }

    @Override
    public void failed(Exception cause) {
        if (closed) {
            return;
        }
        if (cause instanceof IllegalArgumentException) {
            // the name leads out of the folder: the client learns no more than for a missing file
            log.warn("{}: play of {}/{} refused: {}", connection.peer(), request.app(), file, cause.getMessage());
            counters.playRefusedNotFound.increment();
            connection.session().playNotFound(request.streamId(), request.name());
        } else if (cause instanceof NoSuchFileException) {
            log.info("{}: play of {}/{}: no such file", connection.peer(), request.app(), file);
            counters.playRefusedNotFound.increment();
            connection.session().playNotFound(request.streamId(), request.name());
        } else {
            log.warn("{}: play of {}/{} failed: {}", connection.peer(), request.app(), file, cause.toString());
            connection.session().failPlay(request.streamId(), "Cannot play " + request.name() + ".");
        }
        connection.flush();
        end();
    }

    // ---- StreamBinding ----

    @Override
    public boolean onSeek(long millis) {
        if (closed || paced == null || !playing) {
            return false;
        }
        log.debug("{}: vod seek {}/{} to {} ms", connection.peer(), request.app(), file, millis);
        paced.seek(millis);
        return true;
    }

    @Override
    public void onPause(boolean pause) {
        if (!closed && paced != null) {
            paced.pause(pause);
        }
    }

    @Override
    public void onClosed() {
        if (!closed && playing) {
            log.info("vod play stopped: {}/{} by {} ({} frames sent)", request.app(), file, connection.peer(),
                    paced.framesWritten());
        }
        end();
    }

    /** The play is over, whichever way: the file closes, the viewer and the node's slot are given back. Once. */
    private void end() {
        if (closed) {
            return;
        }
        closed = true;
        if (paced != null) {
            paced.close();
        }
        if (playing) {
            playing = false;
            protocolCounters.viewers.decrement();
        }
        if (holdsSlot) {
            holdsSlot = false;
            library.release();
        }
    }
}
