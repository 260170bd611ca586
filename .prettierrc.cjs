// Prettier, as the OCA template for Odoo 18.0 loads it (with @prettier/plugin-xml), in
// Odoo's own JavaScript style: 4 spaces, double quotes, 100 columns.
/** @type {import('prettier').Config} */
const config = {
    plugins: [require.resolve("@prettier/plugin-xml")],
    printWidth: 100,
    tabWidth: 4,
    singleQuote: false,
    trailingComma: "es5",
    bracketSpacing: true,
    arrowParens: "always",
    xmlWhitespaceSensitivity: "preserve",
};

module.exports = config;
