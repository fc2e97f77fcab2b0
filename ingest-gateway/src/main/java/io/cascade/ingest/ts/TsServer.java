package io.cascade.ingest.ts;

import io.cascade.ingest.Admission;
import io.cascade.metrics.NodeCounters;
import io.cascade.metrics.RateLimitedLog;
import io.cascade.settings.Setting;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.HashSet;
import java.util.Set;

/**
 * Listens for MPEG-TS publishers on one {@link TsListenerSpec}: a UDP port (unicast or a multicast group) that is
 * one stream, or a TCP port where each connection is a publisher. Closing the verticle closes the socket and ends
 * every publication it started.
 */
public final class TsServer extends VerticleBase {
    private static final Logger log = LoggerFactory.getLogger(TsServer.class);

    /** The protocol's name in metrics, logs and the stream registry. */
    public static final String PROTOCOL = "ts";
    /** An encoder sends dozens of datagrams a second; 5 s without one is a stopped encoder, not jitter. */
    public static final long DEFAULT_IDLE_MS = 5_000;
    public static final Setting<Long> IDLE_MS = Setting.longInteger("ts.idle.ms", DEFAULT_IDLE_MS, 200, 600_000,
            "a TS publisher that sends nothing this long has stopped: its stream ends, and the next packet republishes");
    /**
     * Kernel receive buffer asked for a UDP listener: about 4 s of an 8 Mbit/s stream, so a pause of the event loop
     * (a GC, a burst on other sockets) does not drop datagrams. The kernel caps it at net.core.rmem_max.
     */
    public static final int UDP_RECEIVE_BUFFER_BYTES = 4 << 20;
    /**
     * Connections one TCP listener holds at most: each is a publisher with its own stream, and more than this on
     * one port is a misconfigured encoder farm or an attack. Past it, new connections are closed at once (counted, logged).
     */
    public static final int MAX_TCP_CONNECTIONS = 256;
    /** How often silence is checked; a stream ends within this much past the idle limit. */
    static final long CHECK_PERIOD_MS = 200;

    /** How the server is set up. */
    public record Settings(TsListenerSpec spec, Admission admission, NodeCounters counters, long idleMillis) {
    }

    private final Settings settings;
    private final TsListenerSpec spec;
    private final NodeCounters.ProtocolCounters counters;
    /** A TCP listener's publishers. */
    private final Set<TsConnection> connections = new HashSet<>();
    private final RateLimitedLog full = new RateLimitedLog(log);
    private UdpTsInput udp;
    private NetServer tcp;
    private long timer;
    private long tcpConnections;
    private int actualPort;

    public TsServer(Settings settings) {
        this.settings = settings;
        this.spec = settings.spec();
        this.counters = settings.counters().protocol(PROTOCOL);
    }

    /** The port it listens on (the configured one, or the one the system chose for port 0 in tests). */
    public int actualPort() {
        return actualPort;
    }

    @Override
    public Future<?> start() {
        timer = vertx.setPeriodic(CHECK_PERIOD_MS, id -> endSilent());
        return spec.transport() == TsListenerSpec.Transport.UDP ? listenUdp() : listenTcp();
    }

    @Override
    public Future<?> stop() {
        vertx.cancelTimer(timer);
        connections.forEach(TsConnection::close);
        connections.clear();
        if (udp != null) {
            udp.close();
        }
        return tcp != null ? tcp.close() : Future.succeededFuture();
    }

    private Future<?> listenUdp() {
        String name = spec.stream().isEmpty() ? spec.derivedName(0) : spec.stream();
        try {
            udp = UdpTsInput.open(spec, name, spec.describe() + " :" + spec.port(), settings.admission(), counters,
                    context, TsConnection.Admit.PUBLISHER, TsConnection.Events.NONE);
            actualPort = udp.port();
            return Future.succeededFuture();
        } catch (IOException | RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    private Future<?> listenTcp() {
        tcp = vertx.createNetServer(new NetServerOptions().setHost(spec.host()).setPort(spec.port()).setTcpNoDelay(true));
        tcp.connectHandler(this::accept);
        return tcp.listen().onSuccess(s -> actualPort = s.actualPort());
    }

    private void accept(NetSocket socket) {
        if (connections.size() >= MAX_TCP_CONNECTIONS) {
            counters.connectionsOverLimit.increment();
            full.warn("ts tcp :{}: {} connections already, {}:{} closed", spec.port(), MAX_TCP_CONNECTIONS,
                    socket.remoteAddress().host(), socket.remoteAddress().port());
            socket.close();
            return;
        }
        String name = spec.stream().isEmpty() ? spec.derivedName(++tcpConnections) : spec.stream();
        TsConnection[] c = new TsConnection[1];
        c[0] = TsConnection.overTcp(socket, settings.admission(), counters, name, "tcp :" + spec.port(),
                TsConnection.Admit.PUBLISHER, TsConnection.Events.NONE, () -> connections.remove(c[0]));
        connections.add(c[0]);
    }

    /**
     * A publisher that went quiet ends its stream; a UDP listener then waits for the next datagram to republish,
     * a TCP one closes the connection (as it does a connection that never sent anything).
     */
    private void endSilent() {
        long now = System.currentTimeMillis();
        if (udp != null) {
            udp.endIfSilent(now, settings.idleMillis());
        }
        for (TsConnection c : Set.copyOf(connections)) {
            if (c.hangUpIfSilent(now, settings.idleMillis())) {
                log.info("ts :{}: nothing for over {} ms, the publish ends", spec.port(), settings.idleMillis());
            }
        }
    }
}
