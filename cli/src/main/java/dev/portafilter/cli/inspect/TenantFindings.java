package dev.portafilter.cli.inspect;

import com.ibm.icu.lang.UCharacter;
import com.ibm.icu.text.Normalizer2;
import com.ibm.icu.text.SpoofChecker;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * Data findings on the tenant values themselves: records without one, and distinct values a person (or a careless
 * comparison) takes for the same tenant.
 */
public final class TenantFindings {
    /** The foldings under which two tenant values collide, each one a way a check or a human can confuse them. */
    private static final Map<String, UnaryOperator<String>> FOLDINGS = foldings();

    private TenantFindings() {
    }

    private static Map<String, UnaryOperator<String>> foldings() {
        Normalizer2 nfkc = Normalizer2.getNFKCInstance();
        SpoofChecker spoof = new SpoofChecker.Builder().build();
        Map<String, UnaryOperator<String>> f = new LinkedHashMap<>();
        f.put("case folding", s -> UCharacter.foldCase(s, true));
        f.put("whitespace trimming", String::strip);
        f.put("NFKC", nfkc::normalize);
        // UTS #39: same skeleton, same look (Cyrillic 'а' and Latin 'a')
        f.put("confusable skeleton (UTS #39)", spoof::getSkeleton);
        return f;
    }

    /** Records without a tenant, and tenant values that collide. */
    public static List<Finding> of(Inspector.Census census, String tenantField) {
        List<Finding> out = new ArrayList<>();
        if (census.withoutTenant() > 0) {
            out.add(new Finding(Finding.Severity.HIGH, "records-without-tenant", census.withoutTenant() + " of "
                    + census.total() + " records have no value (or an empty one) in '" + tenantField + "': no "
                    + "tenant's filter returns them, and any search without the filter does.",
                    "Give every record its tenant, then make the field required (NOT NULL, or reject writes without it)."));
        }
        for (List<String> group : collisions(census.recordsPerTenant().keySet())) {
            out.add(new Finding(Finding.Severity.HIGH, "tenant-values-collide", "The tenants "
                    + group.stream().map(t -> quoted(t) + " (" + census.recordsPerTenant().get(t) + " records)")
                    .collect(Collectors.joining(", ")) + " are one value under " + String.join(", ", foldedBy(group))
                    + ": a case-insensitive, trimming or normalizing comparison, or a person reading them, merges "
                    + "these tenants.",
                    "Map each to one canonical tenant id (NFKC, case-folded, trimmed) and reject look-alikes at "
                    + "sign-up; compare tenant ids exactly, byte for byte."));
        }
        return out;
    }

    /** Groups of two or more values that collide under at least one folding, each sorted, merged transitively. */
    static List<List<String>> collisions(Iterable<String> values) {
        Map<String, String> parent = new TreeMap<>();
        values.forEach(v -> parent.put(v, v));
        for (UnaryOperator<String> fold : FOLDINGS.values()) {
            Map<String, String> first = new TreeMap<>();
            for (String v : parent.keySet()) {
                String other = first.putIfAbsent(fold.apply(v), v);
                if (other != null) {
                    parent.put(root(parent, v), root(parent, other));
                }
            }
        }
        Map<String, TreeSet<String>> groups = new TreeMap<>();
        parent.keySet().forEach(v -> groups.computeIfAbsent(root(parent, v), r -> new TreeSet<>()).add(v));
        return groups.values().stream().filter(g -> g.size() > 1).map(List::copyOf).toList();
    }

    private static String root(Map<String, String> parent, String v) {
        while (!parent.get(v).equals(v)) {
            v = parent.get(v);
        }
        return v;
    }

    /** The foldings under which some two values of the group are one. */
    private static List<String> foldedBy(List<String> group) {
        return FOLDINGS.entrySet().stream()
                .filter(e -> group.stream().map(e.getValue()).distinct().count() < group.size())
                .map(Map.Entry::getKey).toList();
    }

    /** A value in quotes, with its invisible or non-ASCII characters spelled out so that the report shows them. */
    static String quoted(String value) {
        StringBuilder s = new StringBuilder("'");
        value.codePoints().forEach(c -> {
            if (c >= 0x21 && c < 0x7f) {
                s.appendCodePoint(c);
            } else {
                s.append(String.format("\\u{%X}", c));
            }
        });
        return s.append('\'').toString();
    }
}
