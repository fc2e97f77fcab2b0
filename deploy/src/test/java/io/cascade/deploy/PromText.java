package io.cascade.deploy;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A scrape of a node's {@code /metrics} in the Prometheus text format, parsed for assertions. */
final class PromText {
    record Sample(String name, Map<String, String> labels, double value) {
    }

    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    final String text;
    final List<Sample> samples = new ArrayList<>();
    /** Names of every sample line and every {@code # TYPE} family. */
    final Set<String> names = new LinkedHashSet<>();

    PromText(String text) {
        this.text = text;
        for (String line : text.split("\n")) {
            if (line.startsWith("# TYPE ")) {
                names.add(line.split(" ")[2]);
            }
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            String name = line.substring(0, brace >= 0 ? brace : line.indexOf(' '));
            Map<String, String> labels = new LinkedHashMap<>();
            if (brace >= 0) {
                Matcher m = LABEL.matcher(line.substring(brace, line.lastIndexOf('}') + 1));
                while (m.find()) {
                    labels.put(m.group(1), m.group(2));
                }
            }
            samples.add(new Sample(name, labels, Double.parseDouble(line.substring(space + 1))));
            names.add(name);
        }
    }

    static PromText scrape(int httpPort) throws Exception {
        HttpResponse<String> r = Http.getText("http://127.0.0.1:" + httpPort + "/metrics");
        if (r.statusCode() != 200) {
            throw new AssertionError("/metrics answered " + r.statusCode() + ": " + r.body());
        }
        return new PromText(r.body());
    }

    /** The value of the one sample with this name and at least these labels (name, value pairs); null if none. */
    Double value(String name, String... labels) {
        List<Sample> found = find(name, labels);
        if (found.size() > 1) {
            throw new AssertionError("more than one " + name + " with " + List.of(labels) + ": " + found);
        }
        return found.isEmpty() ? null : found.get(0).value();
    }

    List<Sample> find(String name, String... labels) {
        List<Sample> found = new ArrayList<>();
        outer:
        for (Sample s : samples) {
            if (!s.name().equals(name)) {
                continue;
            }
            for (int i = 0; i + 1 < labels.length; i += 2) {
                if (!labels[i + 1].equals(s.labels().get(labels[i]))) {
                    continue outer;
                }
            }
            found.add(s);
        }
        return found;
    }

    /** The lines of one metric, for assertion messages. */
    String lines(String name) {
        StringBuilder b = new StringBuilder();
        for (String line : text.split("\n")) {
            if (line.startsWith(name)) {
                b.append(line).append('\n');
            }
        }
        return b.toString();
    }
}
