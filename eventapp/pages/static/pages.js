// What the pages add when JavaScript runs: favourites (kept in this browser), "now", "your time", copy
// buttons, and the change log's "new since your last visit". Every page works without it.
"use strict";
(function () {
  const strings = JSON.parse(document.getElementById("page-strings").textContent);
  const lang = document.documentElement.lang;
  const store = {
    get(key, fallback) {
      try { const v = localStorage.getItem(key); return v === null ? fallback : JSON.parse(v); } catch (e) { return fallback; }
    },
    set(key, value) { try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode */ } },
  };
  const favKey = (slug) => "eventapp:favourites:" + slug;
  const agendaKey = (slug) => "eventapp:agenda:" + slug;
  const format = (text, values) => text.replace(/\{(\w+)\}/g, (_, k) => values[k]);

  async function saveAgenda(slug, ids, collection) {
    const token = store.get(agendaKey(slug), null);
    const body = JSON.stringify({ session_ids: ids });
    const headers = { "Content-Type": "application/json" };
    if (token) {
      const put = await fetch("/api/v1/agendas/" + encodeURIComponent(token), { method: "PUT", headers, body });
      if (put.ok) return token;
      if (put.status !== 404 && put.status !== 410) throw new Error(put.status);
    }
    const post = await fetch(collection, { method: "POST", headers, body });
    if (!post.ok) throw new Error(post.status);
    const made = await post.json();
    store.set(agendaKey(slug), made.token);
    return made.token;
  }

  function favourites() {
    const box = document.getElementById("favourites");
    if (!box) return;
    const slug = box.dataset.conference;
    let ids = store.get(favKey(slug), []);
    const count = box.querySelector(".favourites-count");
    const link = box.querySelector(".my-agenda");
    const token = store.get(agendaKey(slug), null);
    const pageOf = (t) => box.dataset.agendaPage.replace("TOKEN", encodeURIComponent(t));
    if (token) { link.href = pageOf(token); link.hidden = false; }
    const refresh = () => {
      count.textContent = ids.length ? format(strings.count, { count: ids.length }) : strings.none;
      document.querySelectorAll("button.star").forEach((b) => {
        const on = ids.includes(Number(b.dataset.id));
        b.setAttribute("aria-pressed", on ? "true" : "false");
        b.textContent = on ? "★" : "☆";
        b.setAttribute("aria-label", (on ? strings.unstar : strings.star) + ": " + b.dataset.title);
      });
    };
    document.querySelectorAll("[data-session]").forEach((item) => {
      const anchor = item.querySelector("a");
      if (!anchor) return;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "star";
      button.dataset.id = item.dataset.session;
      button.dataset.title = anchor.textContent.trim();
      button.addEventListener("click", () => {
        const id = Number(button.dataset.id);
        ids = ids.includes(id) ? ids.filter((x) => x !== id) : [...ids, id];
        store.set(favKey(slug), ids);
        refresh();
      });
      anchor.parentNode.insertBefore(button, anchor);
    });
    box.hidden = false;
    document.querySelectorAll(".js-only").forEach((el) => { el.hidden = false; });
    box.querySelector(".make-calendar").addEventListener("click", async () => {
      const error = box.querySelector(".favourites-error");
      error.hidden = true;
      try {
        const made = await saveAgenda(slug, ids, box.dataset.agendas);
        window.location.href = pageOf(made);
      } catch (e) {
        error.textContent = strings.failed;
        error.hidden = false;
      }
    });
    refresh();
  }

  function agenda() {
    const box = document.querySelector("section.agenda");
    if (!box) return;
    const slug = box.dataset.conference;
    const status = box.querySelector(".agenda-status");
    const items = [...box.querySelectorAll("article[data-session]")];
    // This page's agenda becomes this browser's: its sessions are the starred ones from now on.
    store.set(agendaKey(slug), box.dataset.token);
    store.set(favKey(slug), items.map((i) => Number(i.dataset.session)));
    items.forEach((item) => {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = strings.remove;
      button.addEventListener("click", async () => {
        const ids = items.filter((i) => i.isConnected && i !== item).map((i) => Number(i.dataset.session));
        const put = await fetch(box.dataset.api, {
          method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ session_ids: ids }),
        });
        if (put.ok) {
          item.remove();
          store.set(favKey(slug), ids);
          status.textContent = strings.saved;
        } else {
          status.textContent = strings.failed;
        }
      });
      item.appendChild(button);
    });
  }

  function now() {
    const moment = Date.now();
    let next = null;
    document.querySelectorAll("[data-starts][data-ends]").forEach((item) => {
      const starts = Date.parse(item.dataset.starts), ends = Date.parse(item.dataset.ends);
      if (starts <= moment && moment < ends) item.classList.add("is-now");
      if (ends > moment && item.id && (next === null || starts < next.starts)) next = { starts, id: item.id };
    });
    const link = document.querySelector(".now-link");
    if (link && next) { link.querySelector("a").href = "#" + next.id; link.hidden = false; }
  }

  function yourTime() {
    const note = document.querySelector(".your-time-note");
    const zoneOf = document.querySelector("[data-zone]");
    const mine = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!note || !zoneOf || !mine || mine === zoneOf.dataset.zone) return;
    const clock = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", timeZoneName: "short" });
    document.querySelectorAll(".day-list .when time:first-child").forEach((time) => {
      const span = document.createElement("span");
      span.className = "your-time";
      span.textContent = " (" + strings.yourTime + " " + clock.format(new Date(time.getAttribute("datetime"))) + ")";
      time.parentNode.appendChild(span);
    });
    note.textContent = format(strings.yourZone, { zone: mine });
    note.hidden = false;
  }

  function copyButtons() {
    document.querySelectorAll("button[data-copy]").forEach((button) => {
      const input = document.getElementById(button.dataset.copy);
      button.hidden = false;
      button.addEventListener("click", async () => {
        try { await navigator.clipboard.writeText(input.value); } catch (e) { input.select(); document.execCommand("copy"); }
        button.textContent = strings.copied;
      });
    });
  }

  function changes() {
    const note = document.querySelector(".since-note");
    if (!note) return;
    const key = "eventapp:seen:" + note.dataset.conference;
    const seen = store.get(key, null);
    const version = Number(note.dataset.version);
    if (seen === null) {
      note.textContent = strings.firstVisit;
    } else {
      const fresh = [...document.querySelectorAll("tr[data-version]")].filter((row) => Number(row.dataset.version) > seen);
      fresh.forEach((row) => { row.classList.add("is-new"); row.querySelector(".new-mark").hidden = false; });
      note.textContent = fresh.length ? format(strings.since, { count: fresh.length, version: seen }) : strings.nothingNew;
    }
    note.hidden = false;
    store.set(key, version);
  }

  // A session that takes registrations: the seats left now, and registering through the registration API.
  function registration() {
    const box = document.getElementById("registration");
    if (!box) return;
    const left = box.querySelector(".seats-left");
    const form = box.querySelector("form");
    const result = box.querySelector(".register-result");
    const sessionId = Number(box.dataset.sessionId);
    const showSeats = async () => {
      try {
        const answer = await fetch(box.dataset.availability, { headers: { Accept: "application/json" } });
        if (!answer.ok) return;
        const seats = await answer.json();
        if (seats.available === null) { left.textContent = ""; return; }
        left.textContent = seats.available > 0 ? format(strings.seatsLeft, { count: seats.available }) : strings.full;
      } catch (e) { /* the total stays shown */ }
    };
    const line = (text) => { const p = document.createElement("p"); p.textContent = text; return p; };
    const link = (text, href) => {
      const p = document.createElement("p"), a = document.createElement("a");
      a.href = href; a.textContent = text; p.appendChild(a); return p;
    };
    form.hidden = false;
    showSeats();
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const data = new FormData(form);
      const body = { session_ids: [sessionId], language: lang };
      ["given_name", "family_name", "email", "organization"].forEach((name) => {
        const value = (data.get(name) || "").trim();
        if (value) body[name] = value;
      });
      if (form.querySelector("[name=share_with_sponsor]")) body.share_with_sponsor = data.get("share_with_sponsor") === "on";
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      result.replaceChildren();
      try {
        const answer = await fetch(box.dataset.endpoint, {
          method: "POST",
          // One key per submission: a resent request (a flaky network) answers the first answer again.
          headers: { "Content-Type": "application/json", "Idempotency-Key": crypto.randomUUID() },
          body: JSON.stringify(body),
        });
        const made = await answer.json();
        if (!answer.ok) {
          const problems = (made.errors || []).map((e) => e.message).join(" ") || made.message || answer.status;
          result.append(line(strings.registerFailed + " " + problems));
          return;
        }
        const seat = made.seats.find((s) => s.session_id === sessionId);
        if (made.status === "pending") result.append(line(strings.seat_pending));
        else if (seat && strings["seat_" + seat.status]) {
          const until = seat.offer_expires_at ? new Date(seat.offer_expires_at).toLocaleString(lang) : "";
          result.append(line(format(strings["seat_" + seat.status], { position: seat.position, until })));
        }
        result.append(line(strings.keepLink), link(strings.yourRegistration, made.url), link(strings.yourCalendar, made.feeds.webcal));
        form.hidden = true;
        showSeats();
      } catch (e) {
        result.append(line(strings.registerFailed + " " + strings.failed));
      } finally {
        button.disabled = false;
        result.hidden = false;
      }
    });
  }

  favourites();
  agenda();
  now();
  yourTime();
  copyButtons();
  changes();
  registration();
})();
