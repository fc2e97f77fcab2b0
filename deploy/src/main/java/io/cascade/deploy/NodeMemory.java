package io.cascade.deploy;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.cascade.media.MemoryBudget;
import io.cascade.metrics.RateLimitedLog;
import io.cascade.settings.Setting;
import io.netty.util.internal.PlatformDependent;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;

/**
 * The node's {@link MemoryBudget}, sized from the JVM it runs in, and kept up to date: direct memory is measured
 * every {@link #MEASURE_MS}; the moments the node becomes full (takes no new publisher) and takes publishers again
 * are logged, and so are the shrinks of its caches (at most every 10 s). Over the budget is not a state worth a line
 * of its own: the holders shrink as soon as it is reached, so it lasts a frame.
 */
final class NodeMemory {
    private static final Logger log = LoggerFactory.getLogger(NodeMemory.class);

    /** The share of the maximum heap the budget takes when {@code memory.budget.bytes} is 0. */
    static final double DEFAULT_HEAP_SHARE = 0.5;
    /** Less than a few seconds of one ordinary stream: a node could take nothing. */
    static final long MIN_BUDGET_BYTES = 16L << 20;
    static final Setting<Long> BUDGET_BYTES = Setting.longInteger("memory.budget.bytes", 0, 0, 1L << 40,
            "frame bytes the node's GOP and segment caches, HLS/DASH windows and packaged segments may hold together;"
                    + " past 90 % of it (or of the JVM's direct memory) publishes are refused and `/readyz` is 503,"
                    + " past it the caches shrink; `0`: half the maximum heap (`-Xmx`)");
    /** How often direct memory is measured. */
    static final long MEASURE_MS = 1_000;

    private final MemoryBudget budget;
    private final BufferPoolMXBean direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
            .filter(p -> p.getName().equals("direct")).findFirst().orElse(null);
    private final RateLimitedLog shrinking = new RateLimitedLog(log);
    private boolean full;
    private long shrinks;

    private NodeMemory(MemoryBudget budget) {
        this.budget = budget;
    }

    /** The budget the settings and this JVM give: refuses a budget larger than the heap or below 16 MiB. */
    static MemoryBudget budget(NodeConfig config) {
        long heap = Runtime.getRuntime().maxMemory();
        long configured = config.value(BUDGET_BYTES);
        long limit = configured == 0 ? (long) (heap * DEFAULT_HEAP_SHARE) : configured;
        if (limit < MIN_BUDGET_BYTES || limit >= heap) {
            throw new IllegalArgumentException(BUDGET_BYTES.key() + " must be between " + MIN_BUDGET_BYTES
                    + " and the maximum heap (-Xmx: " + heap + " bytes), not " + limit);
        }
        return new MemoryBudget(limit, maxDirectMemory());
    }

    /** Measures {@code budget}'s direct memory on {@code vertx}'s timer until Vert.x closes. */
    static void start(Vertx vertx, MemoryBudget budget) {
        NodeMemory memory = new NodeMemory(budget);
        memory.measure();
        log.info("memory budget: {}", budget.describe());
        vertx.setPeriodic(MEASURE_MS, id -> memory.measure()); // until Vert.x closes
    }

    private void measure() {
        long used = direct == null ? 0 : direct.getMemoryUsed();
        budget.directUsed(Math.max(used, PlatformDependent.usedDirectMemory())); // Netty's own count, when it keeps one
        boolean nowFull = !budget.admitsPublisher();
        if (nowFull != full) {
            full = nowFull;
            if (full) {
                log.warn("memory: the node is full, new publishers are refused and /readyz is 503 ({})",
                        budget.describe());
            } else {
                log.info("memory: the node takes publishers again ({})", budget.describe());
            }
        }
        long shrunk = budget.shrinks() - shrinks;
        shrinks += shrunk;
        if (shrunk > 0) {
            shrinking.warn("memory: at the budget, caches and windows dropped {} segments or GOPs ({})", shrunk,
                    budget.describe());
        }
    }

    /** {@code -XX:MaxDirectMemorySize}, or the maximum heap when it is not set (the JVM's own default). */
    private static long maxDirectMemory() {
        try {
            long set = Long.parseLong(ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .getVMOption("MaxDirectMemorySize").getValue());
            return set > 0 ? set : Runtime.getRuntime().maxMemory();
        } catch (RuntimeException e) {
            return Runtime.getRuntime().maxMemory();
        }
    }
}
