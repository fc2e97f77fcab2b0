package io.cascade.ingest.file;

import io.cascade.files.ConfinedPath;
import io.cascade.vod.PacedFile;
import io.cascade.vod.VodLibrary;
import io.cascade.ingest.Admission;
import io.cascade.ingest.PulledStream;
import io.cascade.media.MediaFrame;
import io.cascade.media.StreamNames;
import io.cascade.metrics.NodeCounters;
import io.cascade.relay.Relay;
import io.cascade.relay.RelayAttempts;
import io.cascade.relay.RelayConfig;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * A {@code file://<app>/<path>} pull: a file of a VOD folder of the node that runs the pull ({@code vod.folder},
 * {@code vod.folders}) published as a live stream under the relay's local name, at the file's own rate against the
 * wall clock (configurations first), so every protocol and every node plays it as any live stream. With
 * {@code loop=1} the file starts again at its end, timestamps rising on (each loop shifted by the file's span plus one
 * frame); without it the stream ends with the file and the pull is done: it is not started again, whatever keepAlive
 * says, since it would replay the same file. A file that cannot be opened (not there yet, not a media file) is an
 * attempt that failed: with keepAlive it is tried again after the relay's backoff. Admitted as every pull is
 * ({@link Admission#admitRelay}, with the first frame).
 */
public final class FilePull implements Relay {
    /** The protocol the stream is counted and listed under ({@code "ingestProtocol":"file"}). */
    public static final String PROTOCOL = "file";
    public static final String SCHEME = "file";
    /** {@code loop}: 1 to start the file again at its end, 0 (default) to end the stream with it. */
    public static final List<String> OPTIONS = List.of("loop");
    /** Frames due within this go out together: a live source's jitter, well under a frame's duration. */
    static final long GRANULARITY_MS = 10;

    /** The file a pull publishes: an application of the VOD folders and a path inside its folder. */
    public record Source(String app, String path, boolean loop) {
        /** How lists and logs show it: the URI as given, which holds no credentials. */
        public String describe() {
            return SCHEME + "://" + app + "/" + path;
        }
    }

    private final Context context;
    private final Admission admission;
    private final VodLibrary library;
    private final RelayConfig config;
    private final Source source;
    private final RelayAttempts attempts;
    private PulledStream stream;
    private PacedFile paced;

    /** @throws IllegalArgumentException when the relay's URI is no usable file:// URI or its loop is not 0 or 1 */
    public FilePull(Vertx vertx, Admission admission, NodeCounters counters, VodLibrary library,
                    RelayConfig config) {
        this.admission = admission;
        this.library = library;
        this.config = config;
        this.source = source(config);
        this.attempts = new RelayAttempts(vertx, config, "pull " + config.id() + " (" + config.localStreamName()
                + " from " + source.describe() + ")", counters.relayAttempts, this::connect);
        this.context = attempts.context();
    }

    /**
     * The file a relay names, checked as far as it can be without the node that runs it: {@code file://} then an
     * application name and a relative path that stays inside its folder; whether the file is there is that node's
     * business.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static Source source(RelayConfig config) {
        String uri = config.uri();
        String prefix = SCHEME + "://";
        if (!uri.regionMatches(true, 0, prefix, 0, prefix.length())) {
            throw new IllegalArgumentException("not a " + prefix + " URI");
        }
        String rest = uri.substring(prefix.length());
        int slash = rest.indexOf('/');
        if (slash <= 0 || slash == rest.length() - 1) {
            throw new IllegalArgumentException("a file pull names file://<app>/<path>, e.g. file://vod/clip.mp4");
        }
        String app = rest.substring(0, slash);
        String path = rest.substring(slash + 1);
        if (!StreamNames.isValid(app)) {
            throw new IllegalArgumentException("application '" + app + "' may use only A-Z, a-z, 0-9, '.', '_' and '-'");
        }
        String refusal = ConfinedPath.refusal(path);
        if (refusal != null) {
            throw new IllegalArgumentException(refusal);
        }
        String loop = config.option("loop");
        if (!loop.isEmpty() && !loop.equals("0") && !loop.equals("1")) {
            throw new IllegalArgumentException("loop must be 0 or 1, not '" + loop + "'");
        }
        return new Source(app, path, loop.equals("1"));
    }

    public FilePull start() {
        attempts.start();
        return this;
    }

    /** One attempt: the file opened on a worker, its frames through a pulled stream claimed with the first. */
    private void connect() {
        PulledStream s = new PulledStream(admission, config.localStreamName(), PROTOCOL, "pull " + source.describe(),
                "pull " + config.id() + " from " + source.describe() + (source.loop() ? ", looped" : ""),
                () -> context.runOnContext(v -> endAttempt("ended by this node")), new PulledStream.Events() {
                    @Override
                    public void admitted() {
                        attempts.running();
                    }

                    @Override
                    public void refused(String reason) {
                        endAttempt(reason);
                    }
                });
        stream = s;
        // a file of its own, not the edge's shared open file: a pull is no play (vod.max.plays) and the node that
        // runs it may have no edge role
        paced = new PacedFile(library.host(context),
                new PacedFile.Options(0, GRANULARITY_MS, source.loop()),
                () -> library.open(source.app(), source.path()), new PacedFile.Output() {
            @Override
            public void opened(List<MediaFrame> configs, long durationMillis) {
            }

            @Override
            public boolean write(MediaFrame frame) {
                s.publish(frame); // the publication's own bounds apply, as to any publisher
                return true;
            }

            @Override
            public void flush() {
            }

            @Override
            public void completed() {
                close();
                attempts.finished("end of file");
            }

            @Override
            public void failed(Exception cause) {
                endAttempt("cannot read " + source.describe() + ": " + (cause.getMessage() == null
                        ? cause.toString() : cause.getMessage()));
            }
        });
        paced.start(0);
    }

    /** This attempt is over: the stream stops here; with keepAlive the next one follows the backoff. */
    private void endAttempt(String reason) {
        if (close()) {
            attempts.ended(reason);
        }
    }

    /** Closes the attempt under way: true when there was one. */
    private boolean close() {
        if (paced == null) {
            return false;
        }
        long bytes = paced.bytesWritten();
        paced.close();
        paced = null;
        stream.close(bytes);
        stream = null;
        return true;
    }

    @Override
    public void stop() {
        attempts.stop(() -> {
            boolean running = close();
            if (running) {
                attempts.ended("stopped"); // a stopped relay's end makes it stopped, not waiting
            }
            return running;
        });
    }

    @Override
    public JsonObject status() {
        return attempts.status();
    }
}
