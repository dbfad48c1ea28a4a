package dev.tlstunnel.cli;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Tells long-running commands to stop: on SIGINT/SIGTERM in the real process, or by {@link
 * #trigger()} and {@link #triggerNow()} in tests. Commands wait on {@link #future()}, then shut
 * down gracefully unless {@link #now()} completes, which asks them to close at once.
 *
 * <p>INT and TERM are caught (when the JVM allows it) so the command can close cleanly and the
 * process exits 0: the first signal asks for a graceful stop, the second for an immediate one, a
 * third halts the JVM. A shutdown hook covers every other way the JVM shuts down: it triggers the
 * signal and waits, bounded, until the command has closed. HUP runs the action a command set with
 * {@link #onHangup} (a reload of its config file), on a thread of its own; a HUP that arrives while
 * the command starts, before it set that action, runs the action once it is set.
 */
public final class StopSignal {
  private static final long HOOK_WAIT_SECONDS = 10;

  private final CompletableFuture<Void> stop = new CompletableFuture<>();
  private final CompletableFuture<Void> now = new CompletableFuture<>();
  private final CountDownLatch done = new CountDownLatch(1);
  private Runnable onHangup; // guarded by this, with hangupPending
  private boolean hangupPending;

  private StopSignal() {}

  /** A signal triggered only by {@link #trigger()}. */
  public static StopSignal manual() {
    return new StopSignal();
  }

  /** A signal triggered by SIGINT, SIGTERM or JVM shutdown. */
  public static StopSignal installed() {
    StopSignal signal = new StopSignal();
    signal.catchSignal("INT");
    signal.catchSignal("TERM");
    signal.catchSignal("HUP");
    Runtime.getRuntime().addShutdownHook(new Thread(signal::onShutdown, "tls-tunnel-shutdown"));
    return signal;
  }

  /** Asks the running command to stop; idempotent. */
  public void trigger() {
    stop.complete(null);
  }

  /** Asks the running command to stop at once, without a grace period; idempotent. */
  public void triggerNow() {
    stop.complete(null);
    now.complete(null);
  }

  /**
   * What SIGHUP does from now on (null: nothing). If a SIGHUP came before any action was set, the
   * action runs now, once.
   */
  public void onHangup(Runnable action) {
    boolean pending;
    synchronized (this) {
      onHangup = action;
      pending = hangupPending && action != null;
      if (pending) {
        hangupPending = false;
      }
    }
    if (pending) {
      runHangup(action);
    }
  }

  /**
   * Runs the SIGHUP action on a thread of its own (as the signal does), or, before an action is
   * set, when it is set.
   */
  public void hangup() {
    Runnable action;
    synchronized (this) {
      action = onHangup;
      if (action == null) {
        hangupPending = true;
        return;
      }
    }
    runHangup(action);
  }

  private static void runHangup(Runnable action) {
    Thread t = new Thread(action, "tls-tunnel-reload-signal");
    t.setDaemon(true);
    t.start();
  }

  /** Completes when an immediate stop is asked for (the second signal). */
  public CompletableFuture<Void> now() {
    return now;
  }

  /** Whether a stop was asked for. */
  public boolean triggered() {
    return stop.isDone();
  }

  /** Completes when a stop is asked for. */
  public CompletableFuture<Void> future() {
    return stop;
  }

  /** Tells the shutdown hook that the command has finished closing. */
  public void markDone() {
    done.countDown();
  }

  private void onShutdown() {
    trigger();
    try {
      done.await(HOOK_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Catches a signal through {@code sun.misc.Signal}, by reflection so the build has no
   * internal-API warning. The second signal stops at once; a third halts, for a close that hangs.
   */
  private void catchSignal(String name) {
    try {
      Class<?> signalClass = Class.forName("sun.misc.Signal");
      Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
      InvocationHandler onSignal = (proxy, method, args) -> handle(proxy, method, args, name);
      Object handler =
          Proxy.newProxyInstance(
              StopSignal.class.getClassLoader(), new Class<?>[] {handlerClass}, onSignal);
      Object signal = signalClass.getConstructor(String.class).newInstance(name);
      signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, signal, handler);
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      // Not available (or reserved by the JVM): the shutdown hook still closes everything.
    }
  }

  private Object handle(Object proxy, Method method, Object[] args, String name) {
    switch (method.getName()) {
      case "handle" -> {
        if (name.equals("HUP")) {
          hangup();
        } else if (now.isDone()) {
          Runtime.getRuntime().halt(name.equals("INT") ? 130 : 143);
        } else if (triggered()) {
          triggerNow();
        } else {
          trigger();
        }
        return null;
      }
      case "hashCode" -> {
        return System.identityHashCode(proxy);
      }
      case "equals" -> {
        return proxy == args[0];
      }
      default -> {
        return "StopSignal(" + name + ")";
      }
    }
  }
}
