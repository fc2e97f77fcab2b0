package io.cascade.rtmp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * RTMPT: RTMP tunnelled over HTTP POSTs, as Flash Media Server, EMS and Red5 serve it, for clients behind proxies
 * that pass only HTTP. A client opens a session ({@code POST /open/1}, answered with the session id and a newline),
 * then sends its RTMP bytes as bodies of {@code POST /send/<id>/<n>}, asks for what the server has for it with
 * {@code POST /idle/<id>/<n>} and ends with {@code POST /close/<id>/<n>}. Every answer is
 * {@code application/x-fcs}: one byte, the polling interval the client should keep, then the RTMP bytes queued for
 * it. Each session drives an {@link RtmpConnection} like a socket does, so publish, play, deadlines and counting are
 * the socket server's.
 *
 * <p>An idle request that finds nothing queued is held up to {@link #IDLE_HOLD_MS} and answered as soon as bytes are
 * queued: a client that polls without pause (rtmpdump does) costs a few requests a second, not thousands. What waits
 * for a client is bounded like a socket's queue ({@code writeQueueBytes}: viewers skip to the next keyframe past it),
 * and a session is closed when no request came for {@link #SESSION_TIMEOUT_MS}. One instance serves a port, on one
 * event loop: requests of one session may come over several HTTP connections.
 */
public final class RtmptServer extends VerticleBase {
    private static final Logger log = LoggerFactory.getLogger(RtmptServer.class);
    /** A session without a request for this long is gone: its client stopped polling. */
    public static final long SESSION_TIMEOUT_MS = 15_000;
    /** How long an idle request with nothing to answer waits for bytes. */
    static final long IDLE_HOLD_MS = 100;
    /** Sessions open at once on one port; one more is answered 503. */
    static final int MAX_SESSIONS = 10_000;
    /** Largest request body (RTMP bytes a client sends in one POST); a larger one gets 413, its connection closed. */
    static final int MAX_BODY_BYTES = 1 << 20;
    /** Most RTMP bytes in one answer; the rest goes with the next. */
    static final int MAX_ANSWER_BYTES = 256 * 1024;
    /** A session whose client lets this many times the write queue bound pile up is closed. */
    static final int HARD_LIMIT_FACTOR = 4;
    /** The polling interval byte: 1 while there is traffic, up to this when there is none (FMS's range). */
    static final int MAX_POLL_INTERVAL = 0x21;
    static final String CONTENT_TYPE = "application/x-fcs";
    /** Longest request line; RTMPT's are about 40 bytes. */
    static final int MAX_REQUEST_LINE_BYTES = 1024;

    private final RtmpServer.Settings settings;
    private final long sessionTimeoutMs;
    private final Map<String, Tunnel> sessions = new HashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final RtmpConnection.Owner owner;
    private Context context;
    private HttpServer server;
    private long timer;

    /** The socket server's settings; the socket send buffer and TLS are not used. */
    public RtmptServer(RtmpServer.Settings settings) {
        this(settings, SESSION_TIMEOUT_MS);
    }

    /** With another session timeout: for tests. */
    public RtmptServer(RtmpServer.Settings settings, long sessionTimeoutMs) {
        this.settings = settings;
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.owner = new RtmpConnection.Owner(settings.publishHandler(), settings.playHandler(), settings.counters(),
                settings.counters().protocol(RtmpServer.PROTOCOL), settings.authorisation(), c -> { });
    }

    @Override
    public Future<?> start() {
        context = vertx.getOrCreateContext();
        HttpServerOptions options = new HttpServerOptions().setHost(settings.host()).setPort(settings.port())
                .setTcpNoDelay(true).setMaxInitialLineLength(MAX_REQUEST_LINE_BYTES)
                // RTMPT is HTTP/1.1: an h2c upgrade offer (the JDK's client makes one) is ignored
                .setHttp2ClearTextEnabled(false)
                .setIdleTimeout((int) sessionTimeoutMs).setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
        server = vertx.createHttpServer(options).requestHandler(this::handle);
        timer = vertx.setPeriodic(Math.min(RtmpServer.CHECK_PERIOD_MS, Math.max(10, sessionTimeoutMs / 4)),
                id -> checkTimeouts());
        return server.listen();
    }

    @Override
    public Future<?> stop() {
        vertx.cancelTimer(timer);
        for (Tunnel t : List.copyOf(sessions.values())) {
            t.finish();
        }
        return server.close();
    }

    /** The port actually bound (differs from the setting when that was ephemeral). */
    public int actualPort() {
        return server.actualPort();
    }

    /** Sessions open now. */
    int sessions() {
        return sessions.size();
    }

    private void handle(HttpServerRequest request) {
        if (request.method() != HttpMethod.POST) {
            refuse(request, 405);
            return;
        }
        if (declaredLength(request) > MAX_BODY_BYTES) {
            tooLarge(request);
            return;
        }
        // "/open/1" or "/<command>/<session>/<sequence>"; anything else (FMS's /fcs/ident2 probe too) is a 404
        String[] parts = request.path().split("/", -1);
        String command = parts.length > 1 ? parts[1] : "";
        if (command.equals("open") && parts.length == 3) {
            readBody(request, body -> open(request));
            return;
        }
        boolean sessionCommand = command.equals("idle") || command.equals("send") || command.equals("close");
        Tunnel tunnel = sessionCommand && parts.length == 4 ? sessions.get(parts[2]) : null;
        if (tunnel == null) {
            refuse(request, 404);
            return;
        }
        tunnel.lastRequestNanos = System.nanoTime();
        readBody(request, body -> {
            if (tunnel.ended) {
                refuse(request, 404);
                return;
            }
            tunnel.answerHeld(); // a client that asks again no longer waits for the earlier answer
            switch (command) {
                case "send" -> {
                    if (body.length() > 0) {
                        tunnel.input.accept(body);
                    }
                    tunnel.answer(request.response());
                }
                case "idle" -> tunnel.idle(request.response());
                default -> {
                    log.debug("{}: RTMPT session closed by the client", tunnel.peer);
                    tunnel.finish();
                    answer(request.response(), 1, Buffer.buffer());
                }
            }
        });
    }

    private void open(HttpServerRequest request) {
        if (sessions.size() >= MAX_SESSIONS) {
            refuse(request, 503);
            return;
        }
        byte[] bytes = new byte[8];
        String id;
        do {
            random.nextBytes(bytes);
            id = HexFormat.of().formatHex(bytes);
        } while (sessions.containsKey(id));
        Tunnel tunnel = new Tunnel(id, String.valueOf(request.remoteAddress()));
        sessions.put(id, tunnel);
        tunnel.connection = new RtmpConnection(tunnel, context, owner);
        log.debug("{}: RTMPT session {} opened", tunnel.peer, id);
        // the id and a newline, as FMS answers: clients drop the last byte
        request.response().setStatusCode(200).putHeader("Content-Type", CONTENT_TYPE)
                .putHeader("Cache-Control", "no-cache")
                .putHeader("Content-Length", String.valueOf(id.length() + 1)).end(id + "\n");
    }

    /** The whole body, at most {@link #MAX_BODY_BYTES}; a larger one is answered 413 and its connection closed. */
    private static void readBody(HttpServerRequest request, Consumer<Buffer> then) {
        Buffer body = Buffer.buffer();
        boolean[] refused = {false};
        request.handler(chunk -> {
            if (refused[0]) {
                return;
            }
            if (body.length() + chunk.length() > MAX_BODY_BYTES) {
                refused[0] = true;
                tooLarge(request);
                return;
            }
            body.appendBuffer(chunk);
        });
        request.endHandler(v -> {
            if (!refused[0]) {
                then.accept(body);
            }
        });
    }

    /** The Content-Length header's value, 0 without one; an unreadable one counts as too large. */
    private static long declaredLength(HttpServerRequest request) {
        String declared = request.getHeader("Content-Length");
        if (declared == null) {
            return 0;
        }
        try {
            return declared.length() > 12 ? Long.MAX_VALUE : Long.parseLong(declared.strip());
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    private static void tooLarge(HttpServerRequest request) {
        request.response().setStatusCode(413).putHeader("Connection", "close").end()
                .onComplete(v -> request.connection().close());
    }

    private static void refuse(HttpServerRequest request, int status) {
        request.response().setStatusCode(status).putHeader("Content-Length", "0").end();
    }

    /**
     * An answer: the polling interval, then the bytes. The length header is spelled {@code Content-Length}: librtmp
     * looks for exactly that.
     */
    private static void answer(HttpServerResponse response, int pollInterval, Buffer bytes) {
        if (response.ended() || response.closed()) {
            return;
        }
        Buffer body = Buffer.buffer(1 + bytes.length()).appendByte((byte) pollInterval).appendBuffer(bytes);
        response.setStatusCode(200).putHeader("Content-Type", CONTENT_TYPE).putHeader("Cache-Control", "no-cache")
                .putHeader("Content-Length", String.valueOf(body.length())).end(body);
    }

    private void checkTimeouts() {
        long now = System.nanoTime();
        long sessionTimeout = TimeUnit.MILLISECONDS.toNanos(sessionTimeoutMs);
        for (Tunnel t : List.copyOf(sessions.values())) {
            if (now - t.lastRequestNanos > sessionTimeout) {
                log.info("{}: closing RTMPT session, no request for {} ms", t.peer, sessionTimeoutMs);
                t.finish();
            } else if (t.connection != null) {
                t.connection.checkTimeouts(now, TimeUnit.MILLISECONDS.toNanos(settings.handshakeDeadlineMs()),
                        TimeUnit.MILLISECONDS.toNanos(settings.idleTimeoutMs()));
            }
        }
    }

    /** One RTMPT session: the transport of its {@link RtmpConnection}. Runs on the server's event loop. */
    private final class Tunnel implements RtmpTransport {
        private final String id;
        private final String peer;
        private final ArrayDeque<Buffer> out = new ArrayDeque<>();
        private Consumer<Buffer> input;
        private Runnable closed;
        private RtmpConnection connection;
        private long queuedBytes;
        private long lastRequestNanos = System.nanoTime();
        private int pollInterval = 1;
        private boolean ending;
        private boolean ended;
        private HttpServerResponse held;
        private long holdTimer = -1;

        Tunnel(String id, String peer) {
            this.id = id;
            this.peer = peer;
        }

        @Override
        public String peer() {
            return peer;
        }

        @Override
        public void open(Consumer<Buffer> input, Runnable closed) {
            this.input = input;
            this.closed = closed;
        }

        @Override
        public void queue(ByteBuf shared) {
            add(Buffer.buffer(ByteBufUtil.getBytes(shared)));
        }

        @Override
        public void flush() {
            if (held != null && queuedBytes > 0) {
                answerHeld();
            }
        }

        @Override
        public void send(byte[] bytes) {
            add(Buffer.buffer(bytes));
            flush();
        }

        private void add(Buffer bytes) {
            if (ended || ending) {
                return;
            }
            out.add(bytes);
            queuedBytes += bytes.length();
            if (queuedBytes > (long) HARD_LIMIT_FACTOR * settings.writeQueueBytes()) {
                log.info("{}: closing RTMPT session, {} bytes wait for a client that does not poll", peer, queuedBytes);
                abort();
            }
        }

        @Override
        public boolean writeQueueFull() {
            return queuedBytes > settings.writeQueueBytes();
        }

        @Override
        public void end() {
            if (ended) {
                return;
            }
            ending = true;
            if (queuedBytes == 0) {
                finish();
            } else {
                flush();
            }
        }

        @Override
        public void close() {
            finish();
        }

        @Override
        public void abort() {
            out.clear();
            queuedBytes = 0;
            finish();
        }

        /** An idle poll: answered now when bytes wait, else held a little for them. */
        void idle(HttpServerResponse response) {
            if (queuedBytes > 0 || ending) {
                answer(response);
                return;
            }
            held = response;
            holdTimer = vertx.setTimer(IDLE_HOLD_MS, t -> {
                holdTimer = -1;
                answerHeld();
            });
        }

        void answerHeld() {
            if (holdTimer >= 0) {
                vertx.cancelTimer(holdTimer);
                holdTimer = -1;
            }
            HttpServerResponse r = held;
            held = null;
            if (r != null) {
                answer(r);
            }
        }

        /** Answers with what is queued, up to {@link #MAX_ANSWER_BYTES}; ends the session after the last bytes. */
        void answer(HttpServerResponse response) {
            if (response.closed()) {
                return; // the client went away: what is queued stays for its next request
            }
            Buffer bytes = Buffer.buffer();
            while (!out.isEmpty() && bytes.length() + out.peek().length() <= MAX_ANSWER_BYTES) {
                bytes.appendBuffer(out.poll());
            }
            if (bytes.length() == 0 && !out.isEmpty()) {
                // one piece larger than an answer: split it
                Buffer first = out.poll();
                bytes.appendBuffer(first, 0, MAX_ANSWER_BYTES);
                out.addFirst(first.getBuffer(MAX_ANSWER_BYTES, first.length()));
            }
            queuedBytes -= bytes.length();
            pollInterval = bytes.length() > 0 ? 1 : Math.min(MAX_POLL_INTERVAL, pollInterval + 1);
            RtmptServer.answer(response, pollInterval, bytes);
            if (ending && queuedBytes == 0) {
                finish();
            }
        }

        /** Ends the session: its id is forgotten, a held request answered, and the connection told. */
        void finish() {
            if (ended) {
                return;
            }
            ended = true;
            out.clear();
            queuedBytes = 0;
            sessions.remove(id);
            if (holdTimer >= 0) {
                vertx.cancelTimer(holdTimer);
                holdTimer = -1;
            }
            HttpServerResponse r = held;
            held = null;
            if (r != null) {
                RtmptServer.answer(r, pollInterval, Buffer.buffer());
            }
            if (closed != null) {
                closed.run();
            }
        }
    }
}
