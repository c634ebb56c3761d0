"""The seed's credential flow in 简体中文 in a real browser, with Journey Optimizer's Chinese labels; the sidebar
picker takes the console back to English (and leaves the signed-in admin's stored choice English)."""

import pytest
from playwright.sync_api import expect

from services.simulator.demo import JASPERS, LUCKY_SHRUB_WABA
from tests.e2e.console_page import ConsolePage

pytestmark = pytest.mark.e2e
NAME = "幸运灌木 订单"


def test_create_new_api_credentials_in_chinese(console: ConsolePage) -> None:
    console.page.set_viewport_size({"width": 1440, "height": 900})
    console.open("API_credentials?lang=zh-CN")
    expect(console.main.get_by_role("heading", name="API凭据", exact=True)).to_be_visible()
    expect(console.page.get_by_test_id("stSidebar").get_by_text("渠道配置", exact=True)).to_be_visible()
    console.button("创建新API凭据").click()
    console.settle()
    expect(console.main.get_by_text("第 1 步，共 2 步 · API令牌和业务")).to_be_visible()

    console.field("业务帐户ID").fill(JASPERS)
    console.button("继续").click()
    console.settle()
    expect(console.main.locator(".st-key-cred_field_token").get_by_text("请粘贴 API令牌")).to_be_visible()
    console.field("API令牌").fill("EAADEMOTOKEN")
    console.button("继续").click()
    console.settle()

    expect(console.main.get_by_text("第 2 步，共 2 步 · WhatsApp 商业帐户和电话号码")).to_be_visible()
    console.choose("商业帐户", f"Lucky Shrub · {LUCKY_SHRUB_WABA}（客户）")
    expect(console.selectbox("电话号码")).to_have_value("+1 415-555-0104 · Lucky Shrub")
    expect(console.main.get_by_text("质量评级", exact=True)).to_be_visible()
    expect(console.main.get_by_text("吞吐量", exact=True)).to_be_visible()
    expect(console.main.get_by_text("红色：低品质").or_(console.main.get_by_text("绿色：高品质")).first).to_be_visible()
    console.type_into("名称", NAME)
    console.button("提交").click()
    console.settle()
    expect(console.main.get_by_text(f"已保存 API凭据“{NAME}”")).to_be_visible()

    card = console.card(NAME, button="删除")
    card.get_by_role("button", name="删除", exact=True).click()
    console.settle()
    dialog = console.page.get_by_role("dialog")
    expect(dialog.get_by_text("删除 API凭据")).to_be_visible()
    dialog.get_by_role("button", name="删除", exact=True).click()
    console.settle()
    expect(console.main.get_by_text(f"已删除 API凭据“{NAME}”。")).to_be_visible()

    sidebar = console.page.get_by_test_id("stSidebar")
    sidebar.get_by_role("combobox", name="语言", exact=True).click()
    console.page.get_by_role("option", name="English", exact=True).click()
    console.settle()
    expect(console.main.get_by_role("heading", name="API credentials", exact=True)).to_be_visible()
    console.assert_clean()
