package io.cascade.deploy;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.TcpIpConfig;
import io.cascade.cluster.HazelcastIngestPointStore;
import io.cascade.cluster.HazelcastStreamRegistry;
import io.cascade.cluster.OwnerMergePolicy;

import java.util.Arrays;
import java.util.List;

/**
 * The Hazelcast configuration of a node, from its settings. TCP-IP join on the listed members (multicast and
 * auto-detection off: they find strangers on shared networks), or Kubernetes DNS discovery; with no members the
 * node is a one-member cluster on loopback, so a single node and a cluster run the same code.
 */
final class ClusterSetup {
    /** Heartbeats every second. */
    static final int HEARTBEAT_SECONDS = 1;
    /**
     * A member silent this long is removed: a frozen node (SIGSTOP, long GC) goes within 10 s. A killed one goes
     * at once, when its connections close.
     */
    static final int MAX_NO_HEARTBEAT_SECONDS = 5;

    private ClusterSetup() {
    }

    static List<String> members(NodeConfig c) {
        return Arrays.stream(c.get("cluster.members").split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /** The address this node's cluster traffic uses: the configured one, else loopback for a lone node. */
    static String host(NodeConfig c) {
        String host = c.get("cluster.host");
        if (host.isEmpty() && members(c).isEmpty() && !kubernetes(c)) {
            return "127.0.0.1";
        }
        return host;
    }

    static boolean kubernetes(NodeConfig c) {
        String discovery = c.get("cluster.discovery");
        if (!discovery.equals("tcp") && !discovery.equals("kubernetes")) {
            throw new IllegalArgumentException("cluster.discovery must be tcp or kubernetes, not '" + discovery + "'");
        }
        return discovery.equals("kubernetes");
    }

    static Config hazelcast(NodeConfig c, String nodeId) {
        Config hz = new Config().setClusterName(c.get("cluster.name"));
        hz.setProperty("hazelcast.phone.home.enabled", "false");
        hz.setProperty("hazelcast.shutdownhook.enabled", "false"); // Vert.x leaves the cluster on close
        hz.setProperty("hazelcast.logging.type", "slf4j");
        // Cascade exports what it needs itself; Hazelcast's own metrics collection and JMX publishing wake up every
        // few seconds and cost an idle node CPU for numbers nobody reads
        hz.getMetricsConfig().setEnabled(false);
        hz.setProperty("hazelcast.heartbeat.interval.seconds", String.valueOf(HEARTBEAT_SECONDS));
        hz.setProperty("hazelcast.max.no.heartbeat.seconds", String.valueOf(MAX_NO_HEARTBEAT_SECONDS));
        hz.getMemberAttributeConfig().setAttribute(HazelcastStreamRegistry.NODE_ATTRIBUTE, nodeId);
        HazelcastIngestPointStore.configure(hz);
        HazelcastStreamRegistry.configure(hz);

        // split-brain healing: of two records of one stream name, the one owned by the smaller node id wins
        hz.getMapConfig(HazelcastStreamRegistry.MAP).getMergePolicyConfig().setPolicy(OwnerMergePolicy.class.getName());

        int port = c.port("cluster.port");
        hz.getNetworkConfig().setPort(port).setPortAutoIncrement(false);
        String host = host(c);
        if (!host.isEmpty()) {
            hz.getNetworkConfig().getInterfaces().setEnabled(true).addInterface(host);
            hz.setProperty("hazelcast.local.localAddress", host);
            // without this Hazelcast listens on every interface even when told which one to use
            hz.setProperty("hazelcast.socket.bind.any", "false");
        }
        JoinConfig join = hz.getNetworkConfig().getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        if (kubernetes(c)) {
            join.getKubernetesConfig().setEnabled(true)
                    .setProperty("service-dns", c.get("cluster.kubernetes.service.dns"))
                    .setProperty("service-port", String.valueOf(port));
        } else {
            TcpIpConfig tcp = join.getTcpIpConfig().setEnabled(true);
            List<String> members = members(c);
            if (members.isEmpty()) {
                tcp.addMember(host + ":" + port);
            }
            // one by one: a port range written as host:a-b crashes Hazelcast 5.3 when interfaces are enabled
            members.forEach(tcp::addMember);
        }
        return hz;
    }
}
