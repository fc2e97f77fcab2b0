package io.cascade.ingest.ts;

import io.cascade.ingest.Admission;
import io.cascade.metrics.NodeCounters;
import io.cascade.metrics.RateLimitedLog;
import io.vertx.core.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * One MPEG-TS stream arriving as UDP datagrams on one socket (unicast, or a multicast group it joins): the receiving
 * thread, the publisher its datagrams feed, and the end of the publish when they stop. What a UDP listener is, and
 * what a {@code dmpegtsudp://} pull runs, so both receive, admit, count and end alike. Used from {@code context} only.
 */
final class UdpTsInput implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UdpTsInput.class);

    private final TsListenerSpec spec;
    private final TsConnection stream;
    private final RateLimitedLog queueFull = new RateLimitedLog(log);
    private UdpReceiver receiver;

    private UdpTsInput(TsListenerSpec spec, TsConnection stream) {
        this.spec = spec;
        this.stream = stream;
    }

    /**
     * Binds the socket {@code spec} describes and publishes what arrives as {@code name}, through admission.
     *
     * @param detail what the publication's log line says it came through
     * @throws IOException when the socket cannot be bound or the group joined
     */
    static UdpTsInput open(TsListenerSpec spec, String name, String detail, Admission admission,
                           NodeCounters.ProtocolCounters counters, Context context, TsConnection.Admit admit,
                           TsConnection.Events events) throws IOException {
        UdpSender sender = new UdpSender();
        TsConnection stream = new TsConnection(admission, counters, name, detail, sender, admit, events,
                System.currentTimeMillis());
        UdpTsInput input = new UdpTsInput(spec, stream);
        input.receiver = UdpReceiver.open(spec, TsServer.UDP_RECEIVE_BUFFER_BYTES, context, d -> {
            sender.last = d.sender();
            stream.received(d.data(), System.currentTimeMillis());
        }, n -> {
            counters.inputErrors.add(n);
            input.queueFull.warn("ts udp :{}: the event loop fell behind, datagrams dropped", spec.port());
        });
        return input;
    }

    /** The port bound (the one asked for, or the system's choice for 0). */
    int port() throws IOException {
        return receiver.port();
    }

    /**
     * The publish ends when no datagram came for {@code idleMillis}: viewers get their unpublish notice, and the next
     * datagram publishes again. True when it ended here.
     */
    boolean endIfSilent(long nowMillis, long idleMillis) {
        long silent = stream.silentFor(nowMillis);
        if (silent <= idleMillis || !stream.publishing()) {
            return false;
        }
        log.info("ts :{}: nothing for {} ms, the publish ends", spec.port(), silent);
        stream.hangUp();
        return true;
    }

    /** Ends the publication and closes the socket: its receiving thread ends with it. */
    @Override
    public void close() {
        stream.close();
        if (receiver != null) {
            try {
                receiver.close();
            } catch (IOException e) {
                log.debug("ts udp :{}: close: {}", spec.port(), e.toString());
            }
        }
    }

    /** The publisher, for logs: whoever sent the last datagram. */
    private static final class UdpSender implements TsConnection.Transport {
        private InetSocketAddress last;

        @Override
        public String peer() {
            return last == null ? "udp" : last.getAddress().getHostAddress() + ":" + last.getPort();
        }

        @Override
        public void end() {
            // a UDP sender cannot be told; its datagrams are dropped until admission is asked again
        }
    }
}
