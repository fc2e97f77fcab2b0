package io.cascade.ingest.ts;

import io.cascade.ingest.Admission;
import io.cascade.ingest.Publication;
import io.cascade.media.MediaFrame;
import io.cascade.metrics.NodeCounters;
import io.cascade.protocol.ts.frames.TsToFrames;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One MPEG-TS publisher: a TCP connection (accepted by a listener, or made by a pull), or the datagrams arriving on a
 * UDP socket ({@link UdpTsInput}). Asks {@link Admission}
 * when its first bytes come, feeds what follows through {@link TsToFrames} into the {@link Publication}, and ends
 * the publication when the transport says so (a closed socket, or {@link #silentFor} past the idle limit).
 * Used from its server's event loop only.
 *
 * <p>TS has no way to tell a publisher it was refused. A TCP publisher is closed; a UDP sender cannot be, so its
 * datagrams are dropped (counted as bytes in) and admission is asked again after {@link #RETRY_AFTER_REFUSAL_MS}.
 */
final class TsConnection implements TsToFrames.Sink {
    private static final Logger log = LoggerFactory.getLogger(TsConnection.class);
    /** A refused UDP sender keeps sending; asking admission for each datagram would flood the cluster with claims. */
    static final long RETRY_AFTER_REFUSAL_MS = 2_000;
    /**
     * Bytes kept while admission decides (a cluster round trip, usually milliseconds): the first keyframe is
     * often in them. Past it datagrams are dropped; the stream then starts at the next keyframe.
     */
    static final int MAX_PENDING_BYTES = 1 << 20;

    /** What the transport does when the publication ends or is refused. */
    interface Transport {
        /** Who sends, for logs. */
        String peer();

        /** The publication is over or refused: TCP closes its socket, UDP waits for the next datagram. */
        void end();
    }

    /**
     * How the publisher is admitted: as any publisher (a listener's: authorisation and ingest points apply), or as a
     * relay of this cluster (a pull, set up through the API: only the naming rule, the memory budget and the claim).
     */
    enum Admit { PUBLISHER, RELAY }

    /** What the owner of a publisher hears of admission's answers: a relay shows them as its state. */
    interface Events {
        Events NONE = new Events() {
        };

        /** Admitted: frames are published from here on. */
        default void published() {
        }

        /** Refused, for this reason; the transport is ended as well. */
        default void refused(String reason) {
        }
    }

    private enum State { WAITING, ADMITTING, PUBLISHING, REFUSED, CLOSED }

    private final Admission admission;
    private final NodeCounters.ProtocolCounters counters;
    private final String name;
    private final String detail;
    private final Transport transport;
    private final Events events;
    private final Admit admit;
    private State state = State.WAITING;
    private Buffer pending;
    private Publication publication;
    private TsToFrames toFrames;
    private long bytesIn;
    private long lastBytesAt;
    private long refusedAt;
    private long reportedDamage;
    /** Numbers admission attempts, so the answer to one abandoned by {@link #stop} is not taken for a later one's. */
    private long attempts;

    TsConnection(Admission admission, NodeCounters.ProtocolCounters counters, String name, String detail,
                 Transport transport, Admit admit, Events events, long nowMillis) {
        this.admission = admission;
        this.counters = counters;
        this.name = name;
        this.detail = detail;
        this.transport = transport;
        this.events = events;
        this.admit = admit;
        this.lastBytesAt = nowMillis;
    }

    /**
     * A publisher on a TCP connection, whichever side opened it: its bytes are fed in, refusal and the publication's
     * end close it, and {@code closed} runs once it is closed (after the publication ended).
     */
    static TsConnection overTcp(NetSocket socket, Admission admission, NodeCounters.ProtocolCounters counters,
                                String name, String detail, Admit admit, Events events, Runnable closed) {
        String peer = socket.remoteAddress().host() + ":" + socket.remoteAddress().port();
        TsConnection c = new TsConnection(admission, counters, name, detail, new Transport() {
            @Override
            public String peer() {
                return peer;
            }

            @Override
            public void end() {
                socket.close();
            }
        }, admit, events, System.currentTimeMillis());
        socket.handler(data -> c.received(data.getBytes(), System.currentTimeMillis()));
        socket.closeHandler(v -> {
            c.close();
            closed.run();
        });
        socket.exceptionHandler(e -> log.debug("ts tcp {}: {}", peer, e.toString()));
        return c;
    }

    /**
     * A TCP publisher silent past the idle limit is hung up, publishing or not (one that connects and sends nothing
     * holds a connection for nothing); true when it was publishing.
     */
    boolean hangUpIfSilent(long nowMillis, long idleMillis) {
        if (silentFor(nowMillis) <= idleMillis) {
            return false;
        }
        boolean was = publishing();
        hangUp();
        return was;
    }

    /** Bytes from the publisher, in order, split anywhere; the array is the connection's from here on. */
    void received(byte[] data, long nowMillis) {
        bytesIn += data.length;
        counters.bytesIn.add(data.length);
        lastBytesAt = nowMillis;
        switch (state) {
            case WAITING -> admit(data);
            case ADMITTING -> keep(data);
            case PUBLISHING -> feed(data);
            case REFUSED -> {
                if (nowMillis - refusedAt >= RETRY_AFTER_REFUSAL_MS) {
                    admit(data);
                }
            }
            case CLOSED -> { }
        }
    }

    /** How long no byte came (since it was created, before the first), for idle checks. */
    long silentFor(long nowMillis) {
        return nowMillis - lastBytesAt;
    }

    boolean publishing() {
        return state == State.PUBLISHING;
    }

    /**
     * The publisher stopped (UDP: silent past the idle limit): the stream ends, viewers get their unpublish notice,
     * and the next bytes start a republish.
     */
    void stop() {
        if (toFrames != null) {
            toFrames.flush(); // the last access unit of an unbounded video PES ends only here
        }
        if (publication != null) {
            publication.close(bytesIn);
            publication = null;
        }
        if (state != State.CLOSED) {
            state = State.WAITING;
        }
        toFrames = null;
        pending = null;
    }

    /** Ends the publication and tells the transport (a TCP socket is closed; a UDP listener waits for more). */
    void hangUp() {
        stop();
        transport.end();
    }

    /** The transport is gone for good (TCP closed, listener closed). */
    void close() {
        stop();
        state = State.CLOSED;
    }

    private void admit(byte[] first) {
        state = State.ADMITTING;
        pending = Buffer.buffer();
        keep(first);
        long attempt = ++attempts;
        Future<Publication> decision = admit == Admit.RELAY
                ? admission.admitRelay(name, TsServer.PROTOCOL, transport.peer())
                : admission.admit(new Admission.Attempt(name, "", TsServer.PROTOCOL, transport.peer()));
        decision.onComplete(admitted -> {
            if (attempt != attempts || state != State.ADMITTING) {
                if (admitted.succeeded()) {
                    admitted.result().close(bytesIn); // the transport ended while admission decided
                }
                return;
            }
            if (admitted.failed()) {
                state = State.REFUSED;
                refusedAt = lastBytesAt;
                pending = null;
                events.refused(admitted.cause().getMessage());
                transport.end();
                return;
            }
            publication = admitted.result();
            publication.start(detail, transport::end); // a UDP sender cannot be told: it stays
            state = State.PUBLISHING;
            toFrames = new TsToFrames(this);
            reportedDamage = 0;
            byte[] held = pending.getBytes();
            pending = null;
            events.published();
            feed(held);
        });
    }

    private void keep(byte[] data) {
        if (pending.length() + data.length <= MAX_PENDING_BYTES) {
            pending.appendBytes(data);
        }
    }

    private void feed(byte[] data) {
        toFrames.feed(data, 0, data.length);
        long damage = toFrames.inputErrors();
        if (damage != reportedDamage) {
            counters.inputErrors.add(damage - reportedDamage);
            reportedDamage = damage;
        }
    }

    @Override
    public void frame(MediaFrame frame) {
        if (publication != null) {
            publication.publish(frame);
        }
    }

    @Override
    public void skipped(TsToFrames.Skip why, String what) {
        if (publication != null) {
            publication.skipped(why == TsToFrames.Skip.DAMAGED ? Publication.Skip.DAMAGED
                    : Publication.Skip.UNSUPPORTED_CODEC, what);
        }
    }
}
