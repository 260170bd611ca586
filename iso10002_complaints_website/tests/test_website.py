from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestComplaintsOnTheWebsite(HttpCase):
    def test_the_website_menu_leads_to_the_complaints_page(self):
        home = self.url_open("/")
        self.assertEqual(home.status_code, 200)
        self.assertIn('href="/complaints"', home.text, "the Complaints menu is on the home page")
        menus = self.env["website.menu"].search([("url", "=", "/complaints")])
        self.assertEqual(
            set(menus.website_id.ids), set(self.env["website"].search([]).ids), "one entry in each website's menu"
        )
        page = self.url_open("/complaints")
        self.assertEqual(page.status_code, 200)
        self.assertIn("How to complain", page.text)
        self.assertIn("o_iso10002_policy_page", page.text)
        self.assertIn('id="wrapwrap"', page.text, "in the website's layout")
        self.assertIn('href="/complaints/new"', page.text)

    def test_a_new_website_gets_the_menu(self):
        website = self.env["website"].create({"name": "Second shop"})
        self.assertTrue(
            self.env["website.menu"].search([("url", "=", "/complaints"), ("website_id", "=", website.id)]),
            "a website created later has the Complaints entry too",
        )
