package io.cascade.deploy;

import io.cascade.cluster.NodeLoad;
import io.cascade.deploy.NodeConfig.Role;
import io.cascade.edge.fanout.ViewerPolicy;
import io.cascade.edge.rtsp.RtspPlayback;
import io.cascade.edge.rtsp.VodRtspPlayback;
import io.cascade.ingest.rtsp.RtspPublishing;
import io.cascade.metrics.ConnectionLimit;
import io.cascade.rtsp.RtspPlayHandler;
import io.cascade.rtsp.RtspPublishHandler;
import io.cascade.rtsp.RtspServer;
import io.cascade.rtsp.UdpPortPool;
import io.cascade.settings.Setting;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** RTSP on {@code rtsp.port}: publishers (ingest) and players (edge) share the port. One server per event loop. */
final class RtspListener implements Listener {
    static final Setting<Integer> PORT = Setting.port("rtsp.port", 5544,
            "RTSP publish (ANNOUNCE/RECORD) and play (DESCRIBE/PLAY); `0` disables");
    static final Setting<int[]> UDP_PORTS = Setting.of("rtsp.udp.ports", "6970-7969",
            "`first-last`, first even", RtspListener::portRange,
            "UDP ports for RTSP's RTP/RTCP over UDP: a pair per publisher track, and a pair per event loop for players");
    static final Setting<Integer> MAX_CONNECTIONS = Setting.integer("rtsp.max.connections", 10_000, 1, 1_000_000,
            "connections the RTSP listener holds at most; the next is closed at once and counted");
    static final Setting<Long> SESSION_TIMEOUT_MS = Setting.longInteger("rtsp.session.timeout.ms",
            RtspServer.DEFAULT_SESSION_TIMEOUT_MS, 5_000, 3_600_000,
            "an RTSP session with no request (or no data over TCP) for this long is closed");
    static final Setting<Long> RTCP_WAIT_MS = Setting.longInteger("rtsp.rtcp.wait.ms",
            RtspServer.DEFAULT_RTCP_WAIT_MS, 0, 30_000,
            "how long an RTSP publish waits for RTCP sender reports to align audio with video before starting "
                    + "without them");

    @Override
    public String name() {
        return "rtsp";
    }

    @Override
    public List<Endpoint> endpoints(NodeConfig config) {
        return Endpoint.tcp(PORT, config.value(NodeSettings.BIND_HOST), config);
    }

    @Override
    public List<String> protocols() {
        return List.of(RtspServer.PROTOCOL);
    }

    @Override
    public List<Setting<?>> settings() {
        return List.of(UDP_PORTS, SESSION_TIMEOUT_MS, RTCP_WAIT_MS, MAX_CONNECTIONS);
    }

    @Override
    public boolean wanted(Set<Role> roles) {
        return roles.contains(Role.INGEST) || roles.contains(Role.EDGE);
    }

    @Override
    public Map<String, String> playUrls() {
        return Map.of(RtspServer.PROTOCOL, "rtsp://" + HOST + "/" + NodeLoad.STREAM);
    }

    @Override
    public Map<String, String> publishUrls() {
        return playUrls();
    }

    @Override
    public Future<Bound> start(NodeServices node, Endpoint at) {
        RtspPublishHandler publishing = node.admission != null ? new RtspPublishing(node.admission)
                : RtspServer.NO_PUBLISHING;
        RtspPlayHandler playing = node.playback != null ? new RtspPlayback(node.playback,
                new VodRtspPlayback(node.vodFiles(), node.playback, node.counters)) : RtspServer.NO_PLAYBACK;
        int[] udp = node.config.value(UDP_PORTS);
        RtspServer.Settings settings = new RtspServer.Settings(at.host(), at.port(), publishing, playing,
                node.counters, node.config.value(ViewerPolicy.QUEUE_BYTES),
                node.config.value(ViewerPolicy.SOCKET_SEND_BYTES), node.config.value(SESSION_TIMEOUT_MS),
                node.config.value(RTCP_WAIT_MS), new UdpPortPool(udp[0], udp[1], at.host()), node.authorisation,
                new ConnectionLimit(MAX_CONNECTIONS.key(), node.config.value(MAX_CONNECTIONS),
                        node.counters.protocol(RtspServer.PROTOCOL)));
        List<RtspServer> instances = new ArrayList<>();
        int count = Math.max(1, Runtime.getRuntime().availableProcessors());
        return node.vertx.deployVerticle(() -> {
            RtspServer s = new RtspServer(settings);
            synchronized (instances) {
                instances.add(s);
            }
            return s;
        }, new DeploymentOptions().setInstances(count)).map(id -> {
            boolean publish = node.admission != null;
            boolean play = node.playback != null;
            String serves = (publish ? "publish" : "") + (publish && play ? " + " : "") + (play ? "play" : "");
            return new Bound(at.host(), instances.get(0).actualPort(),
                    serves + ", UDP " + udp[0] + "-" + udp[1] + ", " + count + " event loops");
        });
    }

    private static int[] portRange(String text) {
        String[] parts = text.trim().split("-");
        if (parts.length != 2) {
            throw new IllegalArgumentException("not first-last");
        }
        int first = Integer.parseInt(parts[0].trim());
        int last = Integer.parseInt(parts[1].trim());
        UdpPortPool.checkRange(first, last);
        return new int[]{first, last};
    }
}
