package io.cascade.deploy;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import io.cascade.cluster.HazelcastStreamRegistry;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The cluster's members as the nodes name themselves, and the roles each announced (member attributes). */
final class ClusterMembers {
    /** The member attribute that carries a node's roles, so every node knows who may run a pull or a push. */
    static final String ROLES_ATTRIBUTE = "cascade.roles";

    private ClusterMembers() {
    }

    /** Members by node id, in name order. */
    static Map<String, Member> byNode(HazelcastInstance hazelcast) {
        Map<String, Member> out = new TreeMap<>();
        for (Member m : hazelcast.getCluster().getMembers()) {
            String id = m.getAttribute(HazelcastStreamRegistry.NODE_ATTRIBUTE);
            if (id != null) {
                out.put(id, m);
            }
        }
        return out;
    }

    /** The roles the member announced, lower case ("ingest", "edge", "origin"). */
    static List<String> roles(Member m) {
        String roles = m.getAttribute(ROLES_ATTRIBUTE);
        return roles == null || roles.isEmpty() ? List.of() : List.of(roles.split(","));
    }
}
