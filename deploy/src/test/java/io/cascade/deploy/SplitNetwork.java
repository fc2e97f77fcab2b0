package io.cascade.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Two network namespaces of a test's own, A and B, joined by one link that carries the cluster's traffic, so a test
 * can split a cluster in two and heal it. Each side is also reachable from the test's own namespace on an address of
 * its own (clients, the API). {@link #cut} drops every packet between the two sides' cluster addresses, in both
 * directions and without a word, as a failed switch does: TCP connections hang rather than close. Needs root
 * ({@code ip netns}, {@code iptables}); closing deletes both namespaces and with them every link.
 */
final class SplitNetwork implements AutoCloseable {
    private final String nsA;
    private final String nsB;
    /** Second octet of every address of this network: per JVM, so two test runs on one machine do not collide. */
    private final int net;
    private final List<String> created = new ArrayList<>();
    private boolean split;

    private SplitNetwork(int net) {
        this.net = net;
        String tag = "cas" + ProcessHandle.current().pid();
        this.nsA = tag + "a";
        this.nsB = tag + "b";
    }

    static SplitNetwork create() throws Exception {
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new AssertionError("splitting a cluster needs root (ip netns, iptables): run the tests as root,"
                    + " as CI does");
        }
        io.cascade.testing.RealClients.require("ip");
        io.cascade.testing.RealClients.require("iptables");
        SplitNetwork n = new SplitNetwork(20 + (int) (ProcessHandle.current().pid() % 200));
        try {
            n.build();
            return n;
        } catch (Exception | AssertionError e) {
            n.close();
            throw e;
        }
    }

    private void build() throws Exception {
        String link = nsA.replace("cas", "c") + "b"; // interface names: 15 characters at most
        for (String ns : List.of(nsA, nsB)) {
            ip("netns", "add", ns);
            created.add(ns);
            ip("-n", ns, "link", "set", "lo", "up");
        }
        ip("link", "add", link + "0", "type", "veth", "peer", "name", link + "1");
        ip("link", "set", link + "0", "netns", nsA);
        ip("link", "set", link + "1", "netns", nsB);
        ip("-n", nsA, "addr", "add", clusterA() + "/24", "dev", link + "0");
        ip("-n", nsB, "addr", "add", clusterB() + "/24", "dev", link + "1");
        ip("-n", nsA, "link", "set", link + "0", "up");
        ip("-n", nsB, "link", "set", link + "1", "up");
        side(nsA, link + "a", 1);
        side(nsB, link + "c", 2);
    }

    /** A link from the test's namespace into {@code ns}: 10.net.subnet.1 here, 10.net.subnet.2 there. */
    private void side(String ns, String link, int subnet) throws Exception {
        ip("link", "add", link + "0", "type", "veth", "peer", "name", link + "1");
        ip("link", "set", link + "1", "netns", ns);
        ip("addr", "add", "10." + net + "." + subnet + ".1/24", "dev", link + "0");
        ip("-n", ns, "addr", "add", "10." + net + "." + subnet + ".2/24", "dev", link + "1");
        ip("link", "set", link + "0", "up");
        ip("-n", ns, "link", "set", link + "1", "up");
    }

    /** Side A's address for cluster traffic. */
    String clusterA() {
        return "10." + net + ".0.1";
    }

    String clusterB() {
        return "10." + net + ".0.2";
    }

    /** Where the test reaches side A's listeners. */
    String hostA() {
        return "10." + net + ".1.2";
    }

    String hostB() {
        return "10." + net + ".2.2";
    }

    /** The command run inside side A's namespace. */
    List<String> inA(List<String> command) {
        return in(nsA, command);
    }

    List<String> inB(List<String> command) {
        return in(nsB, command);
    }

    private static List<String> in(String ns, List<String> command) {
        List<String> wrapped = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        wrapped.addAll(command);
        return wrapped;
    }

    /** Drops every packet between the two sides' cluster addresses. */
    void cut() throws Exception {
        rules("-I");
        split = true;
    }

    void heal() throws Exception {
        rules("-D");
        split = false;
    }

    private void rules(String op) throws Exception {
        for (String[] side : List.of(new String[]{nsA, clusterB()}, new String[]{nsB, clusterA()})) {
            run("ip", "netns", "exec", side[0], "iptables", op, "INPUT", "-s", side[1], "-j", "DROP");
            run("ip", "netns", "exec", side[0], "iptables", op, "OUTPUT", "-d", side[1], "-j", "DROP");
        }
    }

    private static void ip(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        run(command.toArray(String[]::new));
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish");
        }
        String out = new String(p.getInputStream().readAllBytes());
        if (p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed: " + out);
        }
    }

    /** Deletes both namespaces (their links, and the rules inside them, go with them). */
    @Override
    public void close() throws Exception {
        if (split) {
            heal();
        }
        for (String ns : created) {
            run("ip", "netns", "del", ns);
        }
    }
}
