package io.cascade.deploy;

import io.cascade.edge.fanout.ViewerPolicy;
import io.cascade.edge.rtmp.RtmpPush;
import io.cascade.ingest.rtmp.RtmpPull;
import io.cascade.protocol.rtmp.session.RtmpUrl;
import io.cascade.relay.Relay;
import io.cascade.relay.RelayConfig;
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

    /** The node's outbound TCP clients: one plain, one TLS that trusts the JVM's CAs and {@code relay.tls.ca}. */
    record Clients(NetClient plain, NetClient tls) {
        NetClient of(boolean secure) {
            return secure ? tls : plain;
        }
    }

    /** RTMP pulls and pushes, plain and over TLS: the URL says which. */
    static final List<Scheme> ALL = List.of(rtmpPull("rtmp"), rtmpPull("rtmps"), rtmpPush("rtmp"), rtmpPush("rtmps"));

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
