package dev.tlstunnel.common;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listeners of one server or client, called in registration order on the thread that reports
 * the event. A listener that throws is logged once (at WARN, with the stack trace; later failures
 * of the same listener at DEBUG) and the tunnel goes on as if it had returned.
 *
 * @param <L> the listener type
 */
public final class ListenerSet<L> {
  private static final Logger log = LoggerFactory.getLogger(ListenerSet.class);

  private final List<Entry<L>> entries;

  private record Entry<L>(L listener, AtomicBoolean failedBefore) {}

  /** A set of {@code listeners}, in that order; {@code none} (the no-op listener) is left out. */
  public ListenerSet(List<? extends L> listeners, L none) {
    List<Entry<L>> list = new ArrayList<>();
    for (L l : listeners) {
      if (l != none) {
        list.add(new Entry<>(l, new AtomicBoolean()));
      }
    }
    this.entries = List.copyOf(list);
  }

  /** Whether no listener would hear an event: callers may skip building it. */
  public boolean isEmpty() {
    return entries.isEmpty();
  }

  /** Calls {@code method} of every listener with {@code event}. */
  public <E> void fire(E event, BiConsumer<L, E> method) {
    for (Entry<L> e : entries) {
      try {
        method.accept(e.listener(), event);
      } catch (VirtualMachineError fatal) {
        throw fatal;
      } catch (RuntimeException | Error failure) {
        if (e.failedBefore().compareAndSet(false, true)) {
          log.warn(
              "Listener {} failed on {}; the tunnel goes on (later failures of this listener are"
                  + " logged at DEBUG)",
              e.listener(),
              event,
              failure);
        } else {
          log.debug("Listener {} failed on {}", e.listener(), event, failure);
        }
      }
    }
  }
}
