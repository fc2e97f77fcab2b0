package io.cascade.deploy;

import io.cascade.edge.fanout.ViewerPolicy;
import io.cascade.edge.rtmp.RtmpPush;
import io.cascade.edge.rtsp.RtspPush;
import io.cascade.edge.ts.TsUdpPush;
import io.cascade.edge.ts.TsUdpTarget;
import io.cascade.ingest.file.FilePull;
import io.cascade.ingest.rtmp.RtmpPull;
import io.cascade.ingest.rtp.RtpPull;
import io.cascade.ingest.rtsp.RtspPull;
import io.cascade.ingest.ts.TsPullUri;
import io.cascade.ingest.ts.TsServer;
import io.cascade.ingest.ts.TsTcpPull;
import io.cascade.ingest.ts.TsUdpPull;
import io.cascade.protocol.rtmp.session.RtmpClientSession;
import io.cascade.protocol.rtmp.session.RtmpUrl;
import io.cascade.relay.Relay;
import io.cascade.relay.RelayConfig;
import io.cascade.rtsp.UdpPortPool;
import io.vertx.core.net.NetClient;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * What relays can speak, one registration per URI scheme and direction, as listeners are registered: a new
 * protocol's pull or push is one entry here.
 */
final class RelaySchemes {
    /** How a scheme's relay starts on the node that runs it (which has the role the relay's kind needs). */
    @FunctionalInterface
    interface Starter {
        Relay start(NodeServices node, Clients clients, RelayConfig config);
    }

    /**
     * One scheme in one direction.
     *
     * @param options     the options the scheme takes, as EMS names them; others are refused
     * @param destination where the relay connects, normalised, so two pushes of one stream to one destination are one
     *                    too many; throws IllegalArgumentException naming what is wrong with the URI
     */
    record Scheme(String scheme, RelayConfig.Kind kind, List<String> options, Function<RelayConfig, String> destination,
                  Starter starter) {
        Relay start(NodeServices node, Clients clients, RelayConfig config) {
            return starter.start(node, clients, config);
        }
    }

    /** The node's outbound TCP clients: one plain, one TLS that trusts the JVM's CAs and {@code relay.tls.ca}. */
    record Clients(NetClient plain, NetClient tls) {
        NetClient of(boolean secure) {
            return secure ? tls : plain;
        }
    }

    /** Protocols that only relays speak, so no listener registers them for the metrics: raw RTP, files. */
    static final List<String> PROTOCOLS = List.of(RtpPull.PROTOCOL, FilePull.PROTOCOL);

    private static final RelayConfig.Kind PULL = RelayConfig.Kind.PULL;
    private static final RelayConfig.Kind PUSH = RelayConfig.Kind.PUSH;

    static final List<Scheme> ALL = List.of(
            new Scheme("rtmp", PULL, RtmpClientSession.ConnectOptions.NAMES, c -> RtmpUrl.parse(c.uri()).redacted(), RelaySchemes::rtmpPull),
            new Scheme("rtmps", PULL, RtmpClientSession.ConnectOptions.NAMES, c -> RtmpUrl.parse(c.uri()).redacted(), RelaySchemes::rtmpPull),
            new Scheme("rtmp", PUSH, RtmpClientSession.ConnectOptions.NAMES, c -> RtmpPush.target(c).redacted(), RelaySchemes::rtmpPush),
            new Scheme("rtmps", PUSH, RtmpClientSession.ConnectOptions.NAMES, c -> RtmpPush.target(c).redacted(), RelaySchemes::rtmpPush),
            new Scheme("rtsp", PULL, RtspPull.OPTIONS, c -> RtspPull.validate(c).redacted(), RelaySchemes::rtspPull),
            new Scheme("rtsp", PUSH, List.of(), c -> RtspPush.target(c).redacted(), (node, clients, c) -> new RtspPush(node.vertx,
                    clients.plain(), node.playback, node.counters, node.config.value(ViewerPolicy.QUEUE_BYTES), c)
                    .start()),
            // raw RTP arrives at a port of the node that runs the pull: one track, described by the relay's options
            new Scheme("rtp", PULL, RtpPull.OPTIONS, c -> {
                RtpPull.Source s = RtpPull.source(c);
                return "rtp://" + s.host() + ":" + s.port();
            }, (node, clients, c) -> new RtpPull(node.vertx, node.admission, node.counters, c).start()),
            // MPEG-TS with EMS's schemes. dmpegtsudp listens on the UDP port (or joins the group), so the port is
            // bound on whichever ingest node runs the pull; dmpegtstcp connects to a server that sends TS
            new Scheme(TsPullUri.UDP_SCHEME, PULL, List.of(), c -> TsPullUri.parse(c.uri()).describe(), (node, clients, c) ->
                    new TsUdpPull(node.vertx, node.admission, node.counters, node.config.value(TsServer.IDLE_MS), c)
                            .start()),
            new Scheme(TsPullUri.TCP_SCHEME, PULL, List.of(), c -> TsPullUri.parse(c.uri()).describe(), (node, clients, c) ->
                    new TsTcpPull(node.vertx, clients.plain(), node.admission, node.counters,
                            node.config.value(TsServer.IDLE_MS), c).start()),
            // a file of the VOD folders of the node that runs the pull, published as a live stream
            new Scheme(FilePull.SCHEME, PULL, FilePull.OPTIONS, c -> FilePull.source(c).describe(), (node, clients, c) ->
                    new FilePull(node.vertx, node.admission, node.counters, node.vod, c).start()),
            new Scheme(TsUdpTarget.SCHEME, PUSH, List.of(), c -> TsUdpPush.target(c).describe(), (node, clients, c) ->
                    new TsUdpPush(node.vertx, node.playback, node.counters, c).start()));

    private RelaySchemes() {
    }

    private static Relay rtmpPull(NodeServices node, Clients clients, RelayConfig config) {
        RtmpUrl url = RtmpUrl.parse(config.uri());
        return new RtmpPull(node.vertx, clients.of(url.secure()), node.admission, node.counters, config).start();
    }

    private static Relay rtmpPush(NodeServices node, Clients clients, RelayConfig config) {
        return new RtmpPush(node.vertx, clients.of(RtmpPush.target(config).secure()), node.playback, node.counters,
                node.config.value(ViewerPolicy.QUEUE_BYTES), config).start();
    }

    /**
     * UDP pairs come from the range the operator opened for RTSP; a pair the listener holds fails to bind, and the
     * pool moves on to the next.
     */
    private static Relay rtspPull(NodeServices node, Clients clients, RelayConfig config) {
        UdpPortPool udp = null;
        if (RtspPull.udp(config)) {
            int[] range = node.config.value(RtspListener.UDP_PORTS);
            udp = new UdpPortPool(range[0], range[1], node.config.value(NodeSettings.BIND_HOST));
        }
        return new RtspPull(node.vertx, clients.plain(), node.admission, node.counters, udp,
                node.config.value(RtspListener.RTCP_WAIT_MS), config).start();
    }

    /** Every option some scheme takes: what the API reads from a call besides the relay's own fields. */
    static List<String> optionNames() {
        return ALL.stream().flatMap(s -> s.options().stream()).distinct().toList();
    }

    static Optional<Scheme> of(RelayConfig config) {
        return ALL.stream().filter(s -> s.kind() == config.kind() && s.scheme().equals(config.scheme())).findFirst();
    }

    /** The schemes known for a kind, for the refusal of an unknown one. */
    static List<String> names(RelayConfig.Kind kind) {
        return ALL.stream().filter(s -> s.kind() == kind).map(s -> s.scheme() + "://").toList();
    }
}
