"""Swagger UI and the demo form in a real browser against `mottak-dev` (see browser-test.sh)."""

import base64
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import WebDriverWait

SHOTS = os.environ.get("BROWSER_SCREENSHOTS", ".build/screenshots")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url, headers=None, timeout=5):
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=timeout) as answer:
        return answer.status, answer.read().decode()


def wait_ready(base, dev, deadline):
    while time.time() < deadline:
        if dev.poll() is not None:
            sys.exit(f"mottak-dev ended early ({dev.returncode})")
        try:
            if get(f"{base}/internal/is_ready")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    sys.exit("mottak-dev was not ready within 120 s")


def browser():
    options = webdriver.ChromeOptions()
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1300",
                     # Offline: every host but this machine is unresolvable, so a page that
                     # needs a CDN shows nothing and the checks below fail.
                     "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]:
        options.add_argument(argument)
    options.binary_location = "/usr/bin/chromium"
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def swagger(driver, base, token):
    driver.get(f"{base}/swagger")
    wait = WebDriverWait(driver, 30)
    title = wait.until(ready.visibility_of_element_located((By.CSS_SELECTOR, ".swagger-ui .info .title")))
    assert "LPS follow-up plan API" in title.text, title.text
    driver.find_element(By.CSS_SELECTOR, "button.authorize").click()
    field = wait.until(ready.visibility_of_element_located((By.CSS_SELECTOR, ".modal-ux input[type=text]")))
    field.send_keys(token)
    driver.find_element(By.CSS_SELECTOR, ".modal-ux .auth-btn-wrapper button.authorize").click()
    driver.find_element(By.CSS_SELECTOR, ".modal-ux button.btn-done").click()
    operation = driver.find_element(By.CSS_SELECTOR, "#operations-default-submitFollowUpPlan")
    operation.find_element(By.CSS_SELECTOR, ".opblock-summary").click()
    wait.until(ready.element_to_be_clickable((By.CSS_SELECTOR, "#operations-default-submitFollowUpPlan button.try-out__btn"))).click()
    wait.until(ready.element_to_be_clickable((By.CSS_SELECTOR, "#operations-default-submitFollowUpPlan button.execute"))).click()
    status = WebDriverWait(driver, 60).until(ready.visibility_of_element_located(
        (By.CSS_SELECTOR, "#operations-default-submitFollowUpPlan .live-responses-table .response .response-col_status")))
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", status)
    driver.save_screenshot(f"{SHOTS}/swagger.png")
    assert status.text.strip().startswith("200"), f"Swagger UI's Try it out answered {status.text!r}"
    print(f"browser: /swagger, Try it out on POST /api/v1/followupplan answered {status.text.strip()}")


def demo(driver, base):
    driver.get(f"{base}/demo")
    wait = WebDriverWait(driver, 30)
    wait.until(ready.element_to_be_clickable((By.ID, "submit"))).click()
    WebDriverWait(driver, 60).until(
        lambda d: d.find_element(By.ID, "final-state").text in ("COMPLETED", "REJECTED", "FAILED"))
    state = driver.find_element(By.ID, "final-state").text
    answer = driver.find_element(By.ID, "answer").text
    driver.execute_script("window.scrollTo(0, 0);")
    driver.save_screenshot(f"{SHOTS}/demo.png")
    assert answer.startswith("202"), answer
    assert state == "COMPLETED", f"the demo's plan ended {state}"
    print(f"browser: /demo submitted a plan ({answer.splitlines()[0]}) and watched it reach {state}")


def main():
    os.makedirs(SHOTS, exist_ok=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tempfile.NamedTemporaryFile(prefix="mottak-dev-", suffix=".log", delete=False)
    environment = dict(os.environ, APPLICATION_PORT=str(port), LOG_FORMAT="json")
    dev = subprocess.Popen([".build/debug/mottak-dev"], stdout=log, stderr=subprocess.STDOUT, env=environment,
                           start_new_session=True)
    try:
        wait_ready(base, dev, time.time() + 120)
        basic = base64.b64encode(b"demo:demo").decode()
        status, token = get(f"{base}/api/test/token", {"Authorization": f"Basic {basic}"})
        assert status == 200 and token.count(".") == 2, (status, token[:40])
        driver = browser()
        try:
            swagger(driver, base, token)
            demo(driver, base)
        finally:
            driver.quit()
        print("browser: 2 passed, 0 failed")
    except BaseException:
        print(f"mottak-dev's log: {log.name}", file=sys.stderr)
        raise
    finally:
        os.killpg(dev.pid, signal.SIGINT)
        try:
            dev.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(dev.pid, signal.SIGKILL)


if __name__ == "__main__":
    main()
