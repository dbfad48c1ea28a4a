package dev.tlstunnel.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Values kept per name, at most {@code limit} names: every later name shares one overflow value,
 * reported under the name {@value #OVERFLOW}. This bounds both memory and the label values of
 * {@code /metrics}. Names are never forgotten, so counters stay monotonic. Concurrent callers may
 * exceed the limit by a few names at the moment it is reached.
 */
public final class BoundedSeries<T> {
  /** The name under which every name beyond the limit is counted. */
  public static final String OVERFLOW = "_other";

  private final int limit;
  private final Function<String, T> factory;
  private final Map<String, T> values = new ConcurrentHashMap<>();
  private final T overflow;
  private volatile boolean overflowed;

  public BoundedSeries(int limit, Function<String, T> factory) {
    this.limit = limit;
    this.factory = factory;
    this.overflow = factory.apply(OVERFLOW);
  }

  /** The value of {@code name}, made on first use, or the overflow value past the limit. */
  public T get(String name) {
    T value = values.get(name);
    if (value != null) {
      return value;
    }
    if (values.size() >= limit) {
      overflowed = true;
      return overflow;
    }
    return values.computeIfAbsent(name, factory);
  }

  /** The value of {@code name} if it has one of its own, else null (nothing is made). */
  public T peek(String name) {
    return values.get(name);
  }

  /** Whether some name shares the overflow value. */
  public boolean overflowed() {
    return overflowed;
  }

  /** Names that have their own value. */
  public int size() {
    return values.size();
  }

  /** Each name and value, then the overflow value once some name shares it. */
  public void forEach(BiConsumer<String, T> action) {
    values.forEach(action);
    if (overflowed) {
      action.accept(OVERFLOW, overflow);
    }
  }
}
