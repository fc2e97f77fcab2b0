package io.cascade.deploy;

import io.cascade.edge.fanout.ViewerPolicy;
import io.cascade.edge.rtmp.RtmpPush;
import io.cascade.edge.rtsp.RtspPush;
import io.cascade.ingest.rtmp.RtmpPull;
import io.cascade.ingest.rtp.RtpPull;
import io.cascade.ingest.rtsp.RtspPull;
import io.cascade.protocol.rtmp.session.RtmpUrl;
import io.cascade.protocol.rtsp.RtspClientUrl;
import io.cascade.relay.Relay;
import io.cascade.relay.RelayConfig;
import io.cascade.rtsp.UdpPortPool;
import io.vertx.core.net.NetClient;

import java.util.List;
import java.util.Optional;

/**
 * What relays can speak, one registration per URI scheme and direction, as listeners are registered: a new
 * protocol's pull or push is one entry here.
 */
final class RelaySchemes {
    /** One scheme in one direction. */
    interface Scheme {
        String scheme();

        RelayConfig.Kind kind();

        /**
         * Where the relay connects, normalised: two pushes of one stream to one destination are one push too many.
         *
         * @throws IllegalArgumentException naming what is wrong with the URI
         */
        String destination(RelayConfig config);

        /**
         * Starts the relay on this node (which has the role the relay's kind needs).
         *
         * @param clients the node's outbound TCP clients, plain and TLS
         */
        Relay start(NodeServices node, Clients clients, RelayConfig config);
    }

    /** Protocols that only relays speak, so no listener registers them for the metrics: raw RTP. */
    static final List<String> PROTOCOLS = List.of(RtpPull.PROTOCOL);

    /** The node's outbound TCP clients: one plain, one TLS that trusts the JVM's CAs and {@code relay.tls.ca}. */
    record Clients(NetClient plain, NetClient tls) {
        NetClient of(boolean secure) {
            return secure ? tls : plain;
        }
    }

    /** RTMP pulls and pushes, plain and over TLS (the URL says which), and RTSP's. */
    static final List<Scheme> ALL = List.of(rtmpPull("rtmp"), rtmpPull("rtmps"), rtmpPush("rtmp"), rtmpPush("rtmps"),
            rtspPull(), rtspPush(), rtpPull());

    private static Scheme rtmpPull(String name) {
        return new Scheme() {
            @Override
            public String scheme() {
                return name;
            }

            @Override
            public RelayConfig.Kind kind() {
                return RelayConfig.Kind.PULL;
            }

            @Override
            public String destination(RelayConfig config) {
                return RtmpUrl.parse(config.uri()).redacted();
            }

            @Override
            public Relay start(NodeServices node, Clients clients, RelayConfig config) {
                RtmpUrl url = RtmpUrl.parse(config.uri());
                return new RtmpPull(node.vertx, clients.of(url.secure()), node.admission, node.counters, config).start();
            }
        };
    }

    private static Scheme rtmpPush(String name) {
        return new Scheme() {
            @Override
            public String scheme() {
                return name;
            }

            @Override
            public RelayConfig.Kind kind() {
                return RelayConfig.Kind.PUSH;
            }

            @Override
            public String destination(RelayConfig config) {
                return RtmpPush.target(config).redacted();
            }

            @Override
            public Relay start(NodeServices node, Clients clients, RelayConfig config) {
                return new RtmpPush(node.vertx, clients.of(RtmpPush.target(config).secure()), node.playback,
                        node.counters, node.config.value(ViewerPolicy.QUEUE_BYTES), config).start();
            }
        };
    }

    private static Scheme rtspPull() {
        return new Scheme() {
            @Override
            public String scheme() {
                return "rtsp";
            }

            @Override
            public RelayConfig.Kind kind() {
                return RelayConfig.Kind.PULL;
            }

            @Override
            public String destination(RelayConfig config) {
                return RtspPull.validate(config).redacted();
            }

            @Override
            public Relay start(NodeServices node, Clients clients, RelayConfig config) {
                // UDP pairs from the range the operator opened for RTSP; a pair the listener holds fails to bind
                // and the pool moves on to the next
                UdpPortPool udp = null;
                if (RtspPull.udp(config)) {
                    int[] range = node.config.value(RtspListener.UDP_PORTS);
                    udp = new UdpPortPool(range[0], range[1], node.config.value(NodeSettings.BIND_HOST));
                }
                return new RtspPull(node.vertx, clients.plain(), node.admission, node.counters, udp,
                        node.config.value(RtspListener.RTCP_WAIT_MS), config).start();
            }
        };
    }

    private static Scheme rtspPush() {
        return new Scheme() {
            @Override
            public String scheme() {
                return "rtsp";
            }

            @Override
            public RelayConfig.Kind kind() {
                return RelayConfig.Kind.PUSH;
            }

            @Override
            public String destination(RelayConfig config) {
                return RtspPush.target(config).redacted();
            }

            @Override
            public Relay start(NodeServices node, Clients clients, RelayConfig config) {
                return new RtspPush(node.vertx, clients.plain(), node.playback, node.counters,
                        node.config.value(ViewerPolicy.QUEUE_BYTES), config).start();
            }
        };
    }

    /** Raw RTP to a port of the node that runs the pull: one track, described by the relay's options. */
    private static Scheme rtpPull() {
        return new Scheme() {
            @Override
            public String scheme() {
                return "rtp";
            }

            @Override
            public RelayConfig.Kind kind() {
                return RelayConfig.Kind.PULL;
            }

            @Override
            public String destination(RelayConfig config) {
                RtpPull.Source s = RtpPull.source(config);
                return "rtp://" + s.host() + ":" + s.port();
            }

            @Override
            public Relay start(NodeServices node, Clients clients, RelayConfig config) {
                return new RtpPull(node.vertx, node.admission, node.counters, config).start();
            }
        };
    }

    private RelaySchemes() {
    }

    static Optional<Scheme> of(RelayConfig config) {
        return ALL.stream().filter(s -> s.kind() == config.kind() && s.scheme().equals(config.scheme())).findFirst();
    }

    /** The schemes known for a kind, for the refusal of an unknown one. */
    static List<String> names(RelayConfig.Kind kind) {
        return ALL.stream().filter(s -> s.kind() == kind).map(s -> s.scheme() + "://").toList();
    }
}
