package io.cascade.deploy;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.TcpIpConfig;
import io.cascade.cluster.HazelcastIngestPointStore;
import io.cascade.cluster.HazelcastStreamRegistry;
import io.cascade.cluster.OwnerMergePolicy;
import io.cascade.settings.Setting;

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
    /**
     * How often the cluster looks for the other half of a partition (the members it was told of but does not see),
     * and how soon after start it first does. Hazelcast's defaults (5 and 2 minutes) leave a healed network split
     * into two clusters that long, each with its own registry; a look every few seconds costs a join message to
     * each missing member.
     */
    static final int MERGE_CHECK_SECONDS = 5;

    /** A node is always in a cluster, if only its own: its member port cannot be disabled like a listener's. */
    static final int MIN_CLUSTER_PORT = 1;
    static final Setting<Integer> PORT = Setting.integer("cluster.port", 5701, MIN_CLUSTER_PORT, Setting.MAX_PORT,
            "Hazelcast member port");
    static final Setting<List<String>> MEMBERS = Setting.of("cluster.members", "",
            "host:port entries separated by commas", ClusterSetup::parseMembers,
            "`host:port` of other members, comma-separated; none: a one-member cluster on loopback");
    static final Setting<String> HOST = Setting.text("cluster.host", "",
            "address for cluster traffic (Hazelcast and the event bus); `127.0.0.1` when there are no members;"
                    + " set it on every node of a multi-machine cluster");
    static final Setting<String> NAME = Setting.of("cluster.name", "cascade", "a name, not empty", text -> {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("empty");
        }
        return text;
    }, "nodes join only a cluster of the same name");
    static final Setting<String> DISCOVERY = Setting.oneOf("cluster.discovery", "tcp", List.of("tcp", "kubernetes"),
            "`tcp` (the members above) or `kubernetes` (Hazelcast's DNS lookup of `cluster.kubernetes.service.dns`)");
    static final Setting<String> KUBERNETES_SERVICE_DNS = Setting.text("cluster.kubernetes.service.dns", "",
            "the headless service whose DNS names the members, with `cluster.discovery=kubernetes`");

    static final List<Setting<?>> ALL = List.of(PORT, MEMBERS, HOST, NAME, DISCOVERY, KUBERNETES_SERVICE_DNS);

    private ClusterSetup() {
    }

    /** Entries are checked here so a typo stops the node with the key named, not Hazelcast later with a trace. */
    private static List<String> parseMembers(String text) {
        List<String> members = new java.util.ArrayList<>();
        for (String entry : text.split(",")) {
            String member = entry.trim();
            if (member.isEmpty()) {
                continue;
            }
            int colon = member.lastIndexOf(':');
            if (colon <= 0 || member.endsWith("]")) {
                throw new IllegalArgumentException("no port in '" + member + "'");
            }
            try {
                int port = Integer.parseInt(member.substring(colon + 1));
                if (port < MIN_CLUSTER_PORT || port > Setting.MAX_PORT) {
                    throw new IllegalArgumentException("port out of range in '" + member + "'");
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad port in '" + member + "'");
            }
            members.add(member);
        }
        return List.copyOf(members);
    }

    static List<String> members(NodeConfig c) {
        return c.value(MEMBERS);
    }

    /** The address this node's cluster traffic uses: the configured one, else loopback for a lone node. */
    static String host(NodeConfig c) {
        String host = c.value(HOST);
        if (host.isEmpty() && members(c).isEmpty() && !kubernetes(c)) {
            return "127.0.0.1";
        }
        return host;
    }

    static boolean kubernetes(NodeConfig c) {
        return c.value(DISCOVERY).equals("kubernetes");
    }

    static Config hazelcast(NodeConfig c, String nodeId) {
        Config hz = new Config().setClusterName(c.value(NAME));
        hz.setProperty("hazelcast.phone.home.enabled", "false");
        hz.setProperty("hazelcast.shutdownhook.enabled", "false"); // Vert.x leaves the cluster on close
        hz.setProperty("hazelcast.logging.type", "slf4j");
        // Cascade exports what it needs itself; Hazelcast's own metrics collection and JMX publishing wake up every
        // few seconds and cost an idle node CPU for numbers nobody reads
        hz.getMetricsConfig().setEnabled(false);
        // the same for its health monitor: it reads the process's memory and CPU files every few seconds to log when
        // they run high, and the node's own metrics show both
        hz.setProperty("hazelcast.health.monitoring.level", "OFF");
        hz.setProperty("hazelcast.heartbeat.interval.seconds", String.valueOf(HEARTBEAT_SECONDS));
        hz.setProperty("hazelcast.max.no.heartbeat.seconds", String.valueOf(MAX_NO_HEARTBEAT_SECONDS));
        hz.setProperty("hazelcast.merge.first.run.delay.seconds", String.valueOf(MERGE_CHECK_SECONDS));
        hz.setProperty("hazelcast.merge.next.run.delay.seconds", String.valueOf(MERGE_CHECK_SECONDS));
        hz.getMemberAttributeConfig().setAttribute(HazelcastStreamRegistry.NODE_ATTRIBUTE, nodeId);
        hz.getMemberAttributeConfig().setAttribute(ClusterMembers.ROLES_ATTRIBUTE, String.join(",",
                c.roles().stream().map(r -> r.name().toLowerCase(java.util.Locale.ROOT)).sorted().toList()));
        HazelcastIngestPointStore.configure(hz);
        HazelcastStreamRegistry.configure(hz);
        NodeRelays.configure(hz);

        // split-brain healing: of two records of one stream name, the one owned by the smaller node id wins
        hz.getMapConfig(HazelcastStreamRegistry.MAP).getMergePolicyConfig().setPolicy(OwnerMergePolicy.class.getName());

        int port = c.value(PORT);
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
                    .setProperty("service-dns", c.value(KUBERNETES_SERVICE_DNS))
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
