package dev.tlstunnel.cli;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.jline.terminal.Attributes;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.AttributedString;
import org.jline.utils.Display;
import org.jline.utils.InfoCmp.Capability;
import org.jline.utils.NonBlockingReader;

/**
 * The live {@code top} screen, drawn with JLine on the terminal's alternate screen: it reads the
 * admin API again whenever {@code /api/events} reports something (a status change, or the tick
 * every second), and at least once a second when the stream is down. Keys: {@code q} quits, {@code
 * s} changes the sort, {@code r} reverses it, {@code /} edits the filter (Enter keeps it, Esc
 * clears it).
 */
final class TopScreen {
  private static final int ESC = 27;
  private static final long MAX_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final TopData data;
  private final TopView view;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private boolean dirty = true;
  private volatile boolean running = true;
  private final Queue<Integer> pressed = new ConcurrentLinkedQueue<>();
  private String editing;

  TopScreen(TopData data, TopView view) {
    this.data = data;
    this.view = view;
  }

  /** Runs until {@code q} (or the end of input); returns the exit code. */
  int run() throws IOException {
    try (Terminal terminal = TerminalBuilder.builder().system(true).build()) {
      Attributes saved = terminal.enterRawMode();
      terminal.puts(Capability.enter_ca_mode);
      terminal.puts(Capability.cursor_invisible);
      terminal.flush();
      Thread events = startEvents();
      Thread keys = startKeys(terminal.reader());
      try {
        loop(terminal);
      } finally {
        running = false;
        events.interrupt();
        keys.interrupt();
        terminal.puts(Capability.cursor_visible);
        terminal.puts(Capability.exit_ca_mode);
        terminal.flush();
        terminal.setAttributes(saved);
      }
    }
    return 0;
  }

  private void loop(Terminal terminal) {
    Display display = new Display(terminal, true);
    TopData.Snapshot last = null;
    String problem = null;
    while (running) {
      awaitChange();
      for (Integer c; (c = pressed.poll()) != null; ) {
        key(c);
      }
      if (!running) {
        break;
      }
      try {
        last = data.read();
        problem = null;
      } catch (IOException e) {
        problem = e.getMessage();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      Size size = terminal.getSize();
      int width = size.getColumns() > 0 ? size.getColumns() : 120;
      int height = size.getRows() > 0 ? size.getRows() : 40;
      display.resize(height, width);
      List<AttributedString> lines = new ArrayList<>();
      String status = editing != null ? "typing filter: " + editing + "_" : problem;
      if (last == null) {
        lines.add(new AttributedString("tls-tunnel top · " + data.base()));
        lines.add(new AttributedString(problem == null ? "reading..." : problem));
      } else {
        for (String line : view.lines(last, data.base().toString(), Instant.now(), width, status)) {
          lines.add(new AttributedString(line));
        }
      }
      while (lines.size() > height) {
        lines.remove(lines.size() - 1);
      }
      display.update(lines, 0);
    }
  }

  /** Waits for an event, a key, or one second. */
  private void awaitChange() {
    lock.lock();
    try {
      long left = MAX_WAIT_NANOS;
      while (!dirty && running && left > 0) {
        left = changed.awaitNanos(left);
      }
      dirty = false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    } finally {
      lock.unlock();
    }
  }

  private void signal() {
    lock.lock();
    try {
      dirty = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private Thread startKeys(NonBlockingReader reader) {
    Thread t =
        new Thread(
            () -> {
              try {
                while (running) {
                  int c = reader.read(200);
                  if (c == NonBlockingReader.READ_EXPIRED) {
                    continue;
                  }
                  pressed.add(c);
                  signal();
                  if (c < 0) {
                    return;
                  }
                }
              } catch (IOException e) {
                pressed.add(-1);
                signal();
              }
            },
            "top-keys");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Applies one key, on the screen's thread; {@code -1} (end of input) quits like {@code q}. */
  void key(int c) {
    if (editing != null) {
      if (c == '\r' || c == '\n') {
        view.filter = editing;
        editing = null;
      } else if (c == ESC) {
        view.filter = "";
        editing = null;
      } else if (c == 127 || c == 8) {
        editing = editing.isEmpty() ? "" : editing.substring(0, editing.length() - 1);
      } else if (c >= 32) {
        editing += (char) c;
      }
      return;
    }
    switch (c) {
      case -1, 'q', 'Q' -> running = false;
      case 's' -> view.sort = view.sort.next();
      case 'r' -> view.reversed = !view.reversed;
      case '/' -> editing = view.filter;
      case ESC -> view.filter = "";
      default -> {
        // other keys only redraw
      }
    }
  }

  /** Follows {@code /api/events}, reconnecting a second after it ends. */
  private Thread startEvents() {
    Thread t =
        new Thread(
            () -> {
              while (running) {
                try {
                  HttpResponse<Stream<String>> r =
                      data.http()
                          .send(
                              data.request("/api/events").build(),
                              HttpResponse.BodyHandlers.ofLines());
                  if (r.statusCode() == 200) {
                    try (Stream<String> lines = r.body()) {
                      lines
                          .takeWhile(line -> running)
                          .filter(line -> line.startsWith("event:"))
                          .forEach(line -> signal());
                    }
                  } else {
                    r.body().close();
                  }
                } catch (IOException e) {
                  // the admin API is down; the screen says so at the next read
                } catch (InterruptedException e) {
                  return;
                }
                sleep(Duration.ofSeconds(1));
              }
            },
            "top-events");
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
